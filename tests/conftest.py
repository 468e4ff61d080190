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


@pytest.fixture(scope="session")
def course() -> Course:
    return Course(ROOT)


@pytest.fixture
def options(course: Course) -> GradeOptions:
    return GradeOptions(course=course, limits=ExecutionLimits(cell_timeout=20, notebook_budget=90),
                        call_timeout=10)
