"""Shared fixtures: the course in this repository and fast grading options."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ["GRADER_WARM_MINUTES"] = "0"  # no warm daemon: each test grades the way it calls

from grader.submission.course import Course
from grader.options import ExecutionLimits
from grader.pipeline import GradeOptions

ROOT = Path(__file__).resolve().parents[1]
COURSE = ROOT / "course"  # the built-in D2L course

# the graded names of each built-in assignment (../shared/assignment-contract.md)
CONTRACT = {
    "01_preprocessing": {"missing_fraction", "drop_most_missing", "preprocess"},
    "02_linear_algebra_autograd": {"frobenius_norm", "row_normalize", "gradient"},
    "03_linear_regression": {"linreg", "squared_loss", "SGD"},
    "04_softmax_regression": {"softmax", "cross_entropy", "accuracy", "SoftmaxRegressionScratch"},
    "05_mlp": {"relu", "MLPScratch", "backprop"},
}


@pytest.fixture(scope="session")
def course() -> Course:
    return Course(COURSE)


@pytest.fixture
def options(course: Course) -> GradeOptions:
    return GradeOptions(course=course, limits=ExecutionLimits(cell_timeout=20, notebook_budget=90),
                        call_timeout=10)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The house's size guideline, shown, not enforced: modules over 300 lines (400 fails)."""
    from test_rules import GOOD_LINES, long_modules

    over = long_modules()
    if over:
        terminalreporter.write_sep("-", f"modules over {GOOD_LINES} lines (split before 400)")
        for name, lines in over:
            terminalreporter.write_line(f"{lines:5d}  {name}")
