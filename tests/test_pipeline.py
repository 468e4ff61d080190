"""End to end on the softmax assignment: real notebooks, a real sandboxed kernel."""

from __future__ import annotations

import pytest

from grader.pipeline import grade
from grader.report import CheckStatus, GradeStatus

from conftest import ROOT

pytestmark = pytest.mark.notebook


def test_solved_softmax_notebook_scores_full_marks(options):
    report = grade(ROOT / "solutions" / "04_softmax_regression.ipynb", options)
    assert report.status is GradeStatus.GRADED
    assert report.max_score > 10
    failed = [(c.name, c.detail) for c in report.checks if c.status is not CheckStatus.PASSED]
    assert failed == []
    assert report.score == report.max_score
