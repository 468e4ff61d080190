"""A Korean student's whole report: a real notebook, graded in a real sandboxed kernel with
`language="ko"` (what `grade --lang ko` passes down), then rendered as the table."""

from __future__ import annotations

import nbformat
import pytest

from grader.i18n import speaking
from grader.options import ExecutionLimits
from grader.pipeline import GradeOptions, grade
from grader.reporters.table import render
from grader.results import CheckStatus
from grader.submission.course import Course

from conftest import COURSE

pytestmark = [
    pytest.mark.notebook,
    pytest.mark.filterwarnings(  # as tests/test_assignments.py: an engine leak, not ours
        r"ignore:Exception ignored in. <function Socket\.__del__:pytest.PytestUnraisableExceptionWarning"),
]

RIGHT = "return X_exp / X_exp.sum(dim=1, keepdim=True)"
WRONG = "return X_exp / X_exp.sum(dim=0, keepdim=True)"  # normalises the columns
RAISING = "1 / 0  # 학생의 셀"


def test_a_notebook_graded_in_korean_reads_in_korean(tmp_path):
    notebook = nbformat.read(COURSE / "solutions" / "04_softmax_regression.ipynb", as_version=4)
    cell = next(c for c in notebook.cells if c.cell_type == "code" and RIGHT in c.source)
    cell.source = cell.source.replace(RIGHT, WRONG).replace("X.max(dim=1", "X.max(dim=0")
    notebook.cells.append(nbformat.v4.new_code_cell(RAISING))
    path = tmp_path / "04_softmax_regression.ipynb"
    nbformat.write(notebook, path)
    options = GradeOptions(course=Course(COURSE), language="ko", public_only=True, call_timeout=10,
                           limits=ExecutionLimits(cell_timeout=20, notebook_budget=90))

    report = grade(path, options)
    with speaking("ko", options.course.folders):
        table = render(report, width=120)

    failed = [c for c in report.checks if c.status is CheckStatus.FAILED and c.function == "softmax"]
    assert failed and all(c.name.startswith("softmax: ") for c in report.checks if c.function == "softmax")
    assert any("기준 구현과 일치함" in c.name for c in failed)  # the course's catalog named it
    assert any("기대했지만" in c.message or "다릅니다" in c.message for c in failed), [c.message for c in failed]
    assert any("행이 아니라 열의 합이 1입니다" in c.message for c in failed)  # the course's diagnosis, in Korean
    assert "합계: " in table and "실패" in table and "격리: " in table
    assert "ZeroDivisionError: division by zero" in table  # the student's own error, as Python said it
    english = [word for word in ("Total", "FAIL", "expected", "stopped with an error", "isolation:")
               if word in table]
    assert not english, table
