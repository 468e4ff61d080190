"""`check("softmax")` in a notebook: executed with nbclient (not through the grader) in a folder
holding a student kit, the check cells print the grader's table for the live kernel."""

from __future__ import annotations

import json

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import COURSE
from grader.instructor.student_kit import write_student_kit
from grader.submission.course import Course

ASSIGNMENT = "04_softmax_regression"
pytestmark = pytest.mark.notebook


def session(kit_folder) -> list[tuple[str, str]]:
    """A student's session: the solution's cells, a wrong softmax, a cell that does not parse;
    returns (check cell, its printed output) in order."""
    solution = nbformat.read(COURSE / "solutions" / f"{ASSIGNMENT}.ipynb", 4)
    code = [cell.source for cell in solution.cells if cell.cell_type == "code"]
    defining = next(source for source in code if "def softmax" in source)
    sources = ["from grader.in_notebook import check", *code, 'check("softmax")',
               "def softmax(X):\n    X_exp = torch.exp(X)\n    return X_exp / X_exp.sum(dim=0, keepdim=True)",
               'check("softmax")', defining,
               "del accuracy", "def accuracy(y_hat, y):\n    return (y_hat.argmax(dim=1) == y", 'check("accuracy")',
               "check()"]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    NotebookClient(notebook, timeout=300, allow_errors=True,
                   resources={"metadata": {"path": str(kit_folder)}}).execute()
    return [(cell.source, "".join(o.get("text", "") for o in cell.outputs))
            for cell in notebook.cells if cell.source.startswith("check(")]


def test_check_cells_print_the_graders_table(tmp_path):
    write_student_kit(Course(COURSE), ASSIGNMENT, tmp_path / "kit")
    (correct, wrong, missing, everything) = [output for _, output in session(tmp_path / "kit")]
    assert "FAIL" not in correct and "softmax: rows are probabilities that sum to one" in correct
    assert "FAIL" in wrong and "softmax(X)" in wrong
    assert "accuracy is not defined: cell [" in missing and "SyntaxError" in missing
    assert "more points in checks only your instructor's grader runs" in everything


def test_check_cells_work_with_nothing_but_the_package(tmp_path):
    """As in Colab after `pip install`: no kit anywhere near, so the kit shipped in the package."""
    (correct, wrong, missing, everything) = [output for _, output in session(tmp_path)]
    assert "FAIL" not in correct and "softmax: rows are probabilities that sum to one" in correct
    assert "FAIL" in wrong and "softmax(X)" in wrong
    assert "accuracy is not defined: cell [" in missing
    assert "more points in checks only your instructor's grader runs" in everything and "no student kit" not in everything


def test_check_and_grade_public_only_give_the_same_verdicts_on_the_same_notebook(tmp_path, monkeypatch):
    """One kit, one verdict: with no course on disk (an install from the wheel), `check()` in the
    notebook and `grade --public-only` pick the same shipped kit, by the notebook's assignment,
    and judge each public check alike (a wrong cross_entropy included)."""
    from grader.options import GradeOptions
    from grader.pipeline import grade
    from grader.submission import course as course_module
    from grader.submission.course import default_course

    solution = nbformat.read(COURSE / "solutions" / f"{ASSIGNMENT}.ipynb", 4)
    wrong = "def cross_entropy(y_hat, y):\n    return -torch.log(y_hat[range(len(y_hat)), y]).sum()"
    cells = [nbformat.v4.new_code_cell(c.source) for c in solution.cells if c.cell_type == "code"]
    notebook = nbformat.v4.new_notebook(cells=[*cells, nbformat.v4.new_code_cell(wrong)],
                                        metadata={"grader": {"assignment": ASSIGNMENT}})
    path = tmp_path / "submission.ipynb"
    nbformat.write(notebook, path)
    monkeypatch.setattr(course_module, "BUILTIN_ROOT", tmp_path / "no-course")
    report = grade(path, GradeOptions(course=default_course(tmp_path), public_only=True))
    graded = [[c.name, c.status.value, c.points] for c in report.checks if not c.hidden]

    probe = ("import json\nfrom grader.in_notebook import check_results\n"
             f"results = check_results(assignment='{ASSIGNMENT}')\n"
             "print(results.assignment, json.dumps([[r.name, r.status.value, r.points] for r in results"
             " if not r.hidden]))")
    notebook.cells.append(nbformat.v4.new_code_cell(probe))
    NotebookClient(notebook, timeout=300, allow_errors=True,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    printed = "".join(o.get("text", "") for o in notebook.cells[-1].outputs)
    name, verdicts = printed.split(" ", 1)
    assert name == ASSIGNMENT and graded and json.loads(verdicts) == graded
    assert any(status == "failed" for _, status, _ in graded)  # the wrong cross_entropy
