"""Attacks on the grading process itself, which keeps what the kernel sends: error outputs are
shortened like other outputs, the number of cells run is capped, and one wall-clock budget
covers the cells and the checks; a batch worker's address space is capped; the course's files
must not change while a notebook runs. (Replies are bounded before they are decoded:
tests/in_sandbox/test_wire.py.)"""

from __future__ import annotations

import resource
import subprocess
import sys
import time
from dataclasses import replace

import pytest

from grader.errors import EnvironmentProblem
from grader.execute.run import ERROR_TEXT_CAP, MAX_CODE_CELLS, shortened_error
from grader.options import GRADING_PROCESS_MEMORY, ExecutionLimits
from grader.pipeline import CourseFiles, grade
from grader.submission.course import Assignment

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


def test_a_grading_worker_has_an_address_space_limit():
    code = ("import resource; from grader.options import limit_grading_memory; "
            "limit_grading_memory(); print(resource.getrlimit(resource.RLIMIT_AS)[0])")
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           timeout=60, check=True).stdout
    hard = resource.getrlimit(resource.RLIMIT_AS)[1]
    assert int(shown) == min(GRADING_PROCESS_MEMORY, hard if hard >= 0 else GRADING_PROCESS_MEMORY)


def test_checks_rewritten_while_the_notebook_ran_are_refused(tmp_path):
    """Where the kernel could write them (resource limits only), a rewrite is caught."""
    (tmp_path / "checks").mkdir()
    checks, solution = tmp_path / "checks" / "a.py", tmp_path / "a.ipynb"
    checks.write_text("def test_real(): ...\n")
    solution.write_text("{}")
    course_files = CourseFiles.read(Assignment("a", solution, checks))
    course_files.verify()
    checks.write_text("def test_free(): pass\n")
    with pytest.raises(EnvironmentProblem, match="changed while the notebook ran"):
        course_files.verify()
