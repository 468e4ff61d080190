"""What a checks file imports: `from grader.check_tools import expect_close, train_classifier, …`.

- Assertions with messages a student can act on: `expect`, `expect_close`, `expect_unchanged`,
  `fail` (`grader.check_tools.expect`), and `describe` for messages of your own.
- `expect_inputs_unchanged(student, "softmax", [X], names=["X"], call="softmax(X)")`: the
  function leaves its inputs as they were (`unchanged`: the "leaves its input unchanged" check).
- Verdicts a check may catch to judge by itself: `CheckFailed` (a wrong answer: `expect*` and
  `fail` raise it; an AssertionError too), `StudentRaised` (the student's function raised).
- Diagnoses of known mistakes: `@mistake` on each variant of the reference (a kit leaves their
  code out and records their answers), then `expect_close(..., mistakes={"what the student did":
  that mistake's answer})`, the answers by `mistake_answers(MISTAKES, *args)`, or `diagnosis(got, mistakes)` where the check compares by itself;
  `with naming_errors({"words of the error": "what the student did"}):` for known errors.
- `forbidden_uses`: built-in APIs a student's function was asked not to use (`source_scan`);
  `expect_no_builtin`, `builtin_uses`, `autograd_uses`: the same, from the notebook's text read
  in the grading process (`source_facts`: what it cannot show earns nothing) and from what the
  function calls when it runs, which can only add uses (`builtins`).
- `expect_own_parameters(student, "Model", ["W", "b"])`: the notebook's text shows that
  `Model(...).parameters()` gives those attributes themselves (`parameter_facts`).
- `seeded(1)`: the seed of a check's own case 1 (`torch.manual_seed(seeded(1))`): 1 with seed 0
  (the kit's, `check()`'s), a number the student cannot know in the final grade (`grader.checking.seeds`).
- The tolerance rule: `expect_close(..., ops=k, like=..., dtype=...)`, `float_tolerance`,
  `in_float64` (`expect`).
- Grader functions to send into the kernel with `student.define(...)`: `train_classifier` (a
  model class and a loss given), `parameters_report`, `call_with_copies`, `with_names` (the
  notebook's global names bound to a course's own versions for one call) (from
  `grader.in_sandbox.helpers`, sent with that module's text).

What belongs to one course lives with that course, not here: the D2L course's own versions of
what students write, its models, its training loops and its data sets are in course/lib/d2l_course
(importable by its checks through course.toml's `[checks] path`; `image_data` is its fixture,
`[checks] fixtures`). The names that used to be here (`MOVED`) still import from here where the
D2L course is installed beside the grader, and `grade-admin validate` names the line to change.

- Messages in the student's language (docs/translating.md): `_("…{field}…").format(field=...)`
  for a sentence made in a check, `N_("…")` for one kept in a table (a diagnosis, advice: the
  tools translate those where they show them); check names are translated without a mark.

Importing this loads torch, numpy and pandas: checks need them anyway.
"""

import importlib

from grader.check_tools.builtins import autograd_uses, builtin_uses, expect_no_builtin
from grader.check_tools.expect import (
    diagnosis,
    expect,
    expect_close,
    expect_unchanged,
    fail,
    float_tolerance,
    in_float64,
    naming_errors,
)
from grader.check_tools.mistakes import mistake, mistake_answers
from grader.check_tools.parameter_facts import expect_own_parameters
from grader.check_tools.source_scan import ForbiddenUse, forbidden_uses
from grader.check_tools.unchanged import expect_inputs_unchanged
from grader.checking.describe import describe
from grader.checking.seeds import seeded
from grader.checking.moved import MOVED, moved_note
from grader.checking.verdicts import CheckFailed, StudentRaised
from grader.i18n import N_, _
from grader.in_sandbox.helpers import call_with_copies, parameters_report, train_classifier, with_names

__all__ = [
    "CheckFailed",
    "ForbiddenUse",
    "N_",
    "StudentRaised",
    "_",
    "autograd_uses",
    "builtin_uses",
    "call_with_copies",
    "describe",
    "diagnosis",
    "expect",
    "expect_close",
    "expect_inputs_unchanged",
    "expect_no_builtin",
    "expect_own_parameters",
    "expect_unchanged",
    "fail",
    "float_tolerance",
    "forbidden_uses",
    "in_float64",
    "mistake",
    "mistake_answers",
    "naming_errors",
    "parameters_report",
    "seeded",
    "train_classifier",
    "with_names",
]


def __getattr__(name: str) -> object:
    """A moved name, from the D2L course where it is importable; else ImportError saying where."""
    if name not in MOVED:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    try:
        return getattr(importlib.import_module(MOVED[name]), name)
    except ImportError:
        raise ImportError(moved_note(name)) from None
