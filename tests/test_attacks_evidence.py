"""Issue 21, 1: nothing the kernel says earns points by itself. Each attack beside its control
(the same notebook without the trick): the control scores what it should, the attack no more."""

from __future__ import annotations

from dataclasses import replace

import pytest

from grader.options import ExecutionLimits
from grader.pipeline import grade
from grader.results import CheckStatus

from test_hostile import SOLVED, build

pytestmark = [pytest.mark.notebook, pytest.mark.hostile]

SHIFTED = "    X_exp = torch.exp(X - X.max(dim=1, keepdim=True).values)"
NO_SHIFT = "    X_exp = torch.exp(X)"
# A reply jupyter_client cannot decode: a display message whose metadata holds a 100,000-digit
# JSON integer (Python's JSON reader refuses integers over 4,300 digits), sent by softmax on
# the one call with logits near 1000, the call that finds the missing max shift.
UNREADABLE = ("    if float(X.abs().max()) > 500:\n"
              "        import sys\n"
              "        sys.set_int_max_str_digits(0)\n"
              "        display({'text/plain': 'x'}, raw=True, metadata={'n': 10 ** 100_000})\n" + NO_SHIFT)


@pytest.fixture
def fast(options):
    return replace(options, limits=ExecutionLimits(cell_timeout=15, notebook_budget=120))


def test_an_unreadable_answer_costs_the_points_it_guards(tmp_path, fast):
    control = grade(build(tmp_path, SOLVED, "no_shift", replace=(SHIFTED, NO_SHIFT)), fast)
    attack = grade(build(tmp_path, SOLVED, "no_shift_unreadable", replace=(SHIFTED, UNREADABLE)), fast)
    assert (control.score, control.max_score) == (10, 17)
    assert attack.score <= control.score == 10
    large = next(c for c in attack.checks if c.name.startswith("softmax: stays finite"))
    assert large.status is CheckStatus.FAILED and "could not read this answer" in large.message
    assert all(c.points == 0 for c in attack.checks if c.function == "softmax")


BUILT_IN_SOFTMAX = ("    X_exp = torch.exp(X - X.max(dim=1, keepdim=True).values)\n"
                    "    return X_exp / X_exp.sum(dim=1, keepdim=True)",
                    "    return torch.softmax(X, dim=1)")
BUILT_IN_LOSS = ("    return -torch.log(y_hat[torch.arange(len(y_hat)), y]).mean()",
                 "    return torch.nn.functional.nll_loss(torch.log(y_hat), y)")
# The grader's helpers are compiled in the kernel: a wrapped builtins.compile swaps the one that
# reports what a function calls for one that reports nothing.
FORGED_REPORT = """import builtins
_compile = builtins.compile

def _forging(source, filename, mode, *args, **kwargs):
    if filename == "<grader>" and "def torch_calls" in source:
        source += ("\\ndef torch_calls(function, *args):\\n    return {'calls': [], 'history': [], "
                   "'graph_in_result': False, 'inputs_touched': False}\\n")
    return _compile(source, filename, mode, *args, **kwargs)

builtins.compile = _forging
"""


def test_a_forged_report_of_what_runs_clears_no_built_in(tmp_path, fast):
    cells = (BUILT_IN_SOFTMAX, BUILT_IN_LOSS)
    notebook = build(tmp_path, SOLVED, "built_in", replace=cells[0])
    control_path = tmp_path / "control.ipynb"
    control_path.write_text(notebook.read_text().replace(*[c.replace("\n", "\\n") for c in BUILT_IN_LOSS]))
    control = grade(control_path, fast)
    attack = grade(build(tmp_path, control_path, "forged", [FORGED_REPORT], at=2), fast)
    assert control.score == 6 and attack.score <= control.score
    conditions = [c for c in attack.checks if "built-in" in c.name]
    assert conditions and all(c.status is CheckStatus.FAILED for c in conditions)
