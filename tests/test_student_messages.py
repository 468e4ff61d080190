"""Messages that teach, end to end: a real notebook whose softmax raises inside torch, graded in a
real sandboxed kernel. Every check of softmax that called it says so naming softmax, the
student's own line, and nothing of the grader's (its helpers' names) or of a library (torch's
files and lines); a self-check cell that fails a bare `assert` is summarized by that assert."""

from __future__ import annotations

import re

import nbformat
import pytest
from d2l_course import in_kernel  # the built-in course's own (course/lib)

from grader.in_sandbox import helpers
from grader.options import ExecutionLimits
from grader.pipeline import GradeOptions, grade
from grader.submission.course import Course
from grader.results import CellStatus, CheckStatus

from conftest import COURSE

pytestmark = [
    pytest.mark.notebook,
    pytest.mark.filterwarnings(  # as tests/test_assignments.py: an engine leak, not ours
        r"ignore:Exception ignored in. <function Socket\.__del__:pytest.PytestUnraisableExceptionWarning"),
]

RIGHT = "return X_exp / X_exp.sum(dim=1, keepdim=True)"
WRONG = 'return X_exp / torch.einsum("ij,jk->ik", X_exp, torch.ones(7, 1))'  # torch.einsum is Python
BARE_ASSERT = "assert 1 + 1 == 3"
HELPER_NAMES = {name for module in (helpers, in_kernel) for name, value in vars(module).items()
                if callable(value) and not name.startswith("_")  # the grader's versions of softmax... aside
                and name not in in_kernel.GRADER_VERSIONS} | {
    "grad_of_softmax", "grad_of_cross_entropy", "forward_without_grad"}  # the checks file's own


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    notebook = nbformat.read(COURSE / "solutions" / "04_softmax_regression.ipynb", as_version=4)
    cell = next(c for c in notebook.cells if c.cell_type == "code" and RIGHT in c.source)
    cell.source = cell.source.replace(RIGHT, WRONG)
    notebook.cells.append(nbformat.v4.new_code_cell(f"# a self-check of the student's own\n{BARE_ASSERT}"))
    path = tmp_path_factory.mktemp("messages") / "04_softmax_regression.ipynb"
    nbformat.write(notebook, path)
    options = GradeOptions(course=Course(COURSE), limits=ExecutionLimits(cell_timeout=20, notebook_budget=90),
                           call_timeout=10)
    return grade(path, options)


def test_a_softmax_that_raises_inside_torch_is_named_with_the_student_s_line(report):
    raised = [c for c in report.checks if c.function == "softmax" and " raised " in c.detail]
    assert {c.name.split(":")[1].strip() for c in raised} >= {
        "matches the reference on several inputs", "gradients match the reference", "leaves its input unchanged"}
    line = WRONG.split("(")[0]  # the message shows the line, as the student wrote it
    for check in raised:
        shown = check.message if not check.hidden else check.detail
        assert re.match(r"^softmax(\(.*?\))? raised RuntimeError at line 5 of ", shown), shown
        assert "at line 5 of code cell 2 " in shown, shown
        assert f"({line}" in shown, shown
        leaked = [name for name in HELPER_NAMES if name in shown]
        assert not leaked and "site-packages" not in shown and "torch/" not in shown, shown
        assert "functional.py" not in shown and "in einsum" not in shown, shown


def test_the_other_functions_lose_nothing_to_softmax_s_error(report):
    assert all(c.status is CheckStatus.PASSED for c in report.checks if c.function != "softmax")


def test_a_bare_assert_is_summarized_by_its_line(report):
    last = report.execution.cells[-1]
    assert last.status is CellStatus.ERROR and last.summary == f"AssertionError: {BARE_ASSERT}"
