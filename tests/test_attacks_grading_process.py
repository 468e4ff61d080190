"""Attacks on the grading process itself, which keeps what the kernel sends: error outputs are
shortened like other outputs, the number of cells run is capped, and one wall-clock budget
covers the cells and the checks. (Replies are bounded before they are decoded:
tests/in_sandbox/test_wire.py.)"""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from grader.execute.run import ERROR_TEXT_CAP, MAX_CODE_CELLS, shortened_error
from grader.options import ExecutionLimits
from grader.pipeline import grade

from test_hostile import SOFTMAX_BODY, SOLVED, build


def test_an_error_output_is_shortened_and_keeps_its_last_frames():
    content = {"ename": "E" * 10_000, "evalue": "x" * 10**6,
               "traceback": [f"frame {i} " + "y" * 1000 for i in range(1000)]}
    short = shortened_error(content)
    assert len(short["ename"]) <= 200 and len(short["evalue"]) == ERROR_TEXT_CAP
    assert sum(map(len, short["traceback"])) <= ERROR_TEXT_CAP
    assert short["traceback"][-1].startswith("frame 999")


@pytest.mark.notebook
@pytest.mark.hostile
def test_a_huge_error_and_too_many_cells_cost_little_and_grade_the_rest(tmp_path, options):
    huge_error = "raise ValueError('x' * 20_000_000)"
    path = build(tmp_path, SOLVED, "many", [huge_error] + ["pass"] * MAX_CODE_CELLS)
    report = grade(path, replace(options, limits=ExecutionLimits(cell_timeout=15,
                                                                  notebook_budget=120)))
    error = next(c for c in report.execution.cells if c.status == "error")
    assert error.summary.startswith("ValueError: xxx") and len(error.summary) <= 300
    skipped = [c for c in report.execution.cells if c.status == "skipped"]
    assert skipped and all(f"more than {MAX_CODE_CELLS}" in c.summary for c in skipped)
    assert len(report.execution.cells) == 12 + 1 + MAX_CODE_CELLS
    assert report.score == report.max_score


@pytest.mark.notebook
@pytest.mark.hostile
def test_slow_answers_stop_at_the_submission_budget(tmp_path, options):
    """Calls that answer just under the call limit once stretched a 3 s grading to 430 s."""
    path = build(tmp_path, SOLVED, "slow",
                 replace=(SOFTMAX_BODY, "    import time; time.sleep(4)\n" + SOFTMAX_BODY))
    limits = ExecutionLimits(cell_timeout=5, notebook_budget=60, submission_budget=25)
    started = time.monotonic()
    report = grade(path, replace(options, limits=limits, call_timeout=5))
    assert time.monotonic() - started < 25 + 15
    assert "time budget" in report.reason
    assert report.score < report.max_score
