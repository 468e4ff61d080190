"""What a checks file imports: `from grader.check_tools import expect_close, train_classifier, …`.

- Assertions with messages a student can act on: `expect`, `expect_close`, `expect_unchanged`,
  `fail` (`grader.check_tools.expect`), and `describe` for messages of your own.
- Verdicts a check may catch to judge by itself: `CheckFailed` (a wrong answer: `expect*` and
  `fail` raise it; an AssertionError too), `StudentRaised` (the student's function raised).
- Diagnoses of known mistakes: `@mistake` on each variant of the reference (a kit leaves their
  code out and records their answers), then `expect_close(..., mistakes={"what the student did":
  that mistake's answer})`, the answers by `mistake_answers(MISTAKES, *args)`, or `diagnosis(got, mistakes)` where the check compares by itself;
  `with naming_errors({"words of the error": "what the student did"}):` for known errors.
- `forbidden_uses`: built-in APIs a student's function was asked not to use (`source_scan`);
  `expect_no_builtin`, `builtin_uses`, `autograd_uses`: the same, from the source the kernel
  holds and from what the function calls when it runs (`builtins`).
- The tolerance rule: `expect_close(..., ops=k, like=..., dtype=...)`, `float_tolerance`,
  `in_float64` (`expect`).
- Training, the grading side: `classifier_accuracy` (of trained parameters, under the grader's
  forward of `SOFTMAX_REGRESSION` or `MLP`), `synthetic_regression_data`, `regression_error`
  (`training`).
- Grader functions to send into the kernel with `student.define(...)`: `train_classifier`,
  `parameters_report`, `train_linear_regression`, `train_grader_softmax_regression` (a student's
  loss training the grader's model), `call_with_copies`, `with_grader_names`, `with_grader_relu`,
  `with_grader_softmax` (from `grader.in_sandbox.helpers`, sent with that module's text).

- Messages in the student's language (docs/translating.md): `_("…{field}…").format(field=...)`
  for a sentence made in a check, `N_("…")` for one kept in a table (a diagnosis, advice: the
  tools translate those where they show them); check names are translated without a mark.

Importing this loads torch, numpy and pandas: checks need them anyway.
"""

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
from grader.check_tools.source_scan import ForbiddenUse, forbidden_uses
from grader.check_tools.training import (
    MLP,
    SOFTMAX_REGRESSION,
    classifier_accuracy,
    regression_error,
    synthetic_regression_data,
)
from grader.checking.describe import describe
from grader.checking.verdicts import CheckFailed, StudentRaised
from grader.i18n import N_, _
from grader.in_sandbox.helpers import (
    call_with_copies,
    parameters_report,
    train_classifier,
    train_grader_softmax_regression,
    train_linear_regression,
    with_grader_names,
    with_grader_relu,
    with_grader_softmax,
)

__all__ = [
    "CheckFailed",
    "ForbiddenUse",
    "MLP",
    "N_",
    "SOFTMAX_REGRESSION",
    "StudentRaised",
    "_",
    "autograd_uses",
    "builtin_uses",
    "call_with_copies",
    "classifier_accuracy",
    "describe",
    "diagnosis",
    "expect",
    "expect_close",
    "expect_no_builtin",
    "expect_unchanged",
    "fail",
    "float_tolerance",
    "forbidden_uses",
    "in_float64",
    "mistake",
    "mistake_answers",
    "naming_errors",
    "parameters_report",
    "regression_error",
    "synthetic_regression_data",
    "train_classifier",
    "train_grader_softmax_regression",
    "train_linear_regression",
    "with_grader_names",
    "with_grader_relu",
    "with_grader_softmax",
]
