"""The worked example of docs/authoring.md, a course folder of its own: examples/course holds
D2L 5.6's `dropout_layer` (solutions/dropout.ipynb, checks/dropout.py, the generated
assignments/dropout.ipynb). Its untouched assignment scores zero through `grade --course`, and
each usual wrong answer fails the check written for it, with that check's own message."""

from __future__ import annotations

import ast
import textwrap

import nbformat
import pytest

from grader.commands import grade
from grader.instructor.generate import stale_assignments
from grader.options import ExecutionLimits, GradeOptions
from grader.pipeline import grade_notebook
from grader.results import CheckStatus
from grader.submission.course import Course

from conftest import ROOT

EXAMPLE = ROOT / "examples" / "course"
SOLUTION = EXAMPLE / "solutions" / "dropout.ipynb"
RIGHT = "    mask = (torch.rand(X.shape) > dropout).to(X.dtype)\n    return mask * X / (1.0 - dropout)"
BUGS = {  # a wrong answer -> the check that must catch it (with its own message, not the gate's)
    "dropout_layer: keeps the mean of its input (divides what it keeps by 1 - dropout)":
        "    mask = (torch.rand(X.shape) > dropout).to(X.dtype)\n    return mask * X",
    "dropout_layer: drops a fraction dropout of the entries":  # keeps with probability dropout
        "    mask = (torch.rand(X.shape) < dropout).to(X.dtype)\n    return mask * X / (1.0 - dropout)",
    "dropout_layer: drops each entry on its own, not whole rows or columns":  # one mask per column
        "    mask = (torch.rand(X.shape[-1]) > dropout).to(X.dtype)\n    return mask * X / (1.0 - dropout)",
    "dropout_layer: draws a new mask at every call":
        "    torch.manual_seed(0)\n" + RIGHT,
    "dropout_layer: draws the mask itself, without a built-in dropout":
        "    return torch.nn.functional.dropout(X, dropout)",
    "dropout_layer: leaves its input unchanged":
        "    mask = (torch.rand(X.shape) > dropout).to(X.dtype)\n    X *= mask / (1.0 - dropout)\n    return X",
}


def test_the_example_is_a_course_folder_like_the_builtin_one():
    notebook = nbformat.read(SOLUTION, 4)
    nbformat.validate(notebook)
    assert notebook.metadata.grader.assignment == "dropout"
    tags = {tag for cell in notebook.cells for tag in cell.metadata.get("tags", [])}
    assert tags == {"setup", "graded"}
    assert all(cell.outputs == [] for cell in notebook.cells if cell.cell_type == "code")
    assert stale_assignments(EXAMPLE) == []
    imports = [node for node in ast.walk(ast.parse((EXAMPLE / "checks" / "dropout.py").read_text()))
               if isinstance(node, ast.ImportFrom) and node.module.startswith("grader")]
    assert [node.module for node in imports] == ["grader.check_tools"]
    assert list(Course.adding_to_builtin(EXAMPLE).assignments)[-1] == "dropout"


def test_the_authoring_guide_documents_every_check_tool_and_the_marker():
    import grader.check_tools

    guide = (ROOT / "docs" / "authoring.md").read_text()
    assert [name for name in grader.check_tools.__all__ if f"`{name}" not in guide] == []
    for word in ("name", "points", "hidden", "timeout", "condition"):
        assert f"`{word}" in guide, word
    for fixture in ("student", "reference", "image_data"):
        assert f"`{fixture}`" in guide, fixture


def indented_blocks(markdown: str) -> list[str]:
    """The guide's code blocks: runs of lines indented by four spaces that follow a blank line."""
    blocks: list[list[str]] = []
    inside, blank_before = False, True
    for line in markdown.splitlines():
        if inside and (line.startswith("    ") or not line.strip()):
            blocks[-1].append(line)
        elif blank_before and line.startswith("    "):
            blocks.append([line])
            inside = True
        else:
            inside = False
        blank_before = not line.strip()
    return [textwrap.dedent("\n".join(block)).strip() for block in blocks]


PYTHON_STARTS = ("def ", "@", "import ", "from ", "class ", "expect", "X = ")


def test_the_authoring_guides_python_blocks_parse_and_its_own_generator_is_the_examples():
    guide = (ROOT / "docs" / "authoring.md").read_text()
    python = [block for block in indented_blocks(guide) if block.startswith(PYTHON_STARTS)]
    assert len(python) >= 4
    for block in python:
        ast.parse(block)  # a SyntaxError names the block's line

    def own_generator(tree: ast.Module) -> str:
        return next(ast.unparse(node.body[-1]) for node in ast.walk(tree)
                    if isinstance(node, ast.FunctionDef) and node.name == "own_generator")

    documented = next(ast.parse(block) for block in python if "def own_generator" in block)
    example = ast.parse((EXAMPLE / "checks" / "dropout.py").read_text())
    assert own_generator(documented) == own_generator(example) == \
        "return torch.Generator().manual_seed(torch.initial_seed() + 1)"


@pytest.mark.notebook
def test_the_untouched_example_assignment_scores_zero(capsys):
    untouched = EXAMPLE / "assignments" / "dropout.ipynb"
    assert grade.main([str(untouched), "--course", str(EXAMPLE)]) == 0
    out = capsys.readouterr().out
    assert "Total: 0/9" in out and out.count("FAIL ") == 8


@pytest.mark.notebook
@pytest.mark.parametrize("caught", BUGS, ids=lambda name: name.split(": ")[1][:30])
def test_a_wrong_dropout_fails_the_check_written_for_it(caught, tmp_path):
    notebook = nbformat.read(SOLUTION, 4)
    cell = next(cell for cell in notebook.cells if RIGHT in cell.source)
    cell.source = cell.source.replace(RIGHT, BUGS[caught])
    path = tmp_path / "dropout.ipynb"
    nbformat.write(notebook, path)
    options = GradeOptions(course=Course.adding_to_builtin(EXAMPLE),
                           limits=ExecutionLimits(cell_timeout=20, notebook_budget=90), call_timeout=10)
    report = grade_notebook(path, options)
    own = {check.name: check for check in report.checks}[caught]
    assert own.status is CheckStatus.FAILED and not own.detail.startswith("passed, but")
    assert report.score == 0 and [c.name for c in report.checks if c.status is CheckStatus.ERROR] == []
