"""Notebooks written the book's way (d2l imports, classes on d2l.Module, add_to_class, Trainer.fit
in cells that are not graded; tests/course/book_style/build.py) earn full marks where their graded
functions are correct; where the book's own code breaks the contract, the message says what the
assignment asks beyond the book."""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib
import nbformat
import pytest

matplotlib.use("Agg")

from conftest import COURSE
from grader.checking.local_student import LocalStudent
from grader.checking.plugin import GradingPlugin, run_checks
from grader.checking.reference import load_reference
from grader.pipeline import grade
from grader.results import CheckStatus
from grader.submission.course import Course

sys.path.insert(0, str(Path(__file__).parent / "book_style"))
from build import NOTEBOOKS, notebook

HERE = Path(__file__).resolve().parent / "book_style"
KERNEL_PATH = COURSE / "kernel"
BEYOND_THE_BOOK = {  # the function the book's code loses, and what its message must say
    "03_linear_regression": ("SGD", "this assignment asks step() to do it itself"),
    "04_softmax_regression": ("softmax", "this assignment asks for one that stays finite"),
}


def by_function(checks) -> dict[str, tuple[float, float]]:
    scores: dict[str, list[float]] = {}
    for check in checks:
        got = scores.setdefault(check.function, [0.0, 0.0])
        got[0] += check.points
        got[1] += check.max_points
    return {name: (got, most) for name, (got, most) in scores.items()}


def test_the_committed_notebooks_are_builds_output():
    for assignment in NOTEBOOKS:
        written = nbformat.read(HERE / f"{assignment}.ipynb", 4)
        assert [c.source for c in notebook(assignment).cells] == [c.source for c in written.cells], \
            f"{assignment}.ipynb is stale: python tests/course/book_style/build.py"


@pytest.mark.notebook
@pytest.mark.parametrize("assignment", sorted(NOTEBOOKS))
def test_a_book_style_notebook_is_graded_like_a_plain_one(assignment, options):
    report = grade(HERE / f"{assignment}.ipynb", options)
    scores = by_function(report.checks)
    lost, said = BEYOND_THE_BOOK.get(assignment, ("", ""))
    for function, (got, most) in scores.items():
        assert got == (0 if function == lost else most), f"{function}: {got}/{most}"
    if lost:
        messages = [c.message for c in report.checks if c.function == lost and c.status is CheckStatus.FAILED]
        assert any(said in message for message in messages), messages
    if assignment != "03_linear_regression":  # the kernel imported the course's d2l, which never downloads
        assert any("never downloads" in record.summary for record in report.execution.cells)


def graded_in_process(assignment: str) -> dict[str, tuple[float, float]]:
    """The book-style notebook with FIXES applied, run in this process (IPython syntax turned into
    Python, cells that raise skipped, as in a kernel) and graded by every check: no kernel."""
    from IPython.core.inputtransformer2 import TransformerManager

    sources = [cell.source for cell in notebook(assignment, fixed=True).cells if cell.cell_type == "code"
               and "check(" not in cell.source]
    namespace: dict = {"__name__": "__main__"}
    sys.path.insert(0, str(KERNEL_PATH))
    try:
        for source in sources:
            python = TransformerManager().transform_cell(source)
            python = "\n".join(line for line in python.splitlines() if "get_ipython()" not in line)
            try:
                exec(compile(python, "<cell>", "exec"), namespace)
            except FileNotFoundError:  # d2l.FashionMNIST: no data here
                pass
            except NameError as error:  # the cells after it
                assert "data" in str(error)
        course = Course(COURSE)
        solution = course.assignments[assignment]
        student = LocalStudent(namespace, "\n\n".join(sources))
        plugin = GradingPlugin(student, load_reference(solution.solution))
        try:
            return by_function(run_checks(solution.checks, plugin))
        finally:
            student.close()
    finally:
        sys.path.remove(str(KERNEL_PATH))
        for name in [n for n in sys.modules if n == "d2l" or n.startswith("d2l.")]:
            del sys.modules[name]


@pytest.mark.parametrize("assignment", sorted(BEYOND_THE_BOOK))
def test_the_book_style_with_the_contracts_fix_earns_full_marks(assignment):
    scores = graded_in_process(assignment)
    assert scores and all(got == most for got, most in scores.values()), scores
