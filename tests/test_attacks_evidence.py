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
