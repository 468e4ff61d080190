"""The reference: a solution's setup and graded cells; a broken solution is an AuthoringError."""

from __future__ import annotations

import nbformat
import pytest

from grader.checking.reference import load_reference
from grader.errors import AuthoringError


def solution(tmp_path, *cells, name="99_demo.ipynb"):
    notebook = nbformat.v4.new_notebook()
    for source, tags in cells:
        cell = nbformat.v4.new_code_cell(source)
        cell.metadata["tags"] = tags
        notebook.cells.append(cell)
    path = tmp_path / name
    nbformat.write(notebook, path)
    return path


def test_only_setup_and_graded_cells_run(tmp_path):
    path = solution(tmp_path, ("import math", ["setup"]), ("def double(x):\n    return 2 * x", ["graded"]),
                    ("raise SystemExit('never run')", []))
    reference = load_reference(path)
    assert reference.double(2) == 4 and reference.math.pi > 3


@pytest.mark.parametrize("cells, line, problem", [
    ([("x = 1\ndef f(:\n    pass", ["graded"])], 2, "cell 0: invalid Python: "),
    ([("import math", ["setup"]), ("y = 1\nz = undefined_name", ["graded"])], 2,
     "cell 1 raised NameError: name 'undefined_name' is not defined"),
])
def test_a_cell_that_fails_names_the_file_cell_and_line(tmp_path, cells, line, problem):
    with pytest.raises(AuthoringError) as error:
        load_reference(solution(tmp_path, *cells))
    assert error.value.path == "99_demo.ipynb" and error.value.line == line
    assert str(error.value).startswith(f"99_demo.ipynb: line {line}: {problem}")


@pytest.mark.parametrize("content, problem", [
    (b"{not json", "the solution is not valid JSON"),
    (b"\xff\xfe", "the solution is not UTF-8 text"),
    (b'{"cells": 3}', "the solution is not a notebook"),
])
def test_an_unreadable_solution(tmp_path, content, problem):
    path = tmp_path / "98_bad.ipynb"
    path.write_bytes(content)
    with pytest.raises(AuthoringError, match=f"^98_bad.ipynb: {problem}"):
        load_reference(path)


def test_a_missing_solution(tmp_path):
    with pytest.raises(AuthoringError, match="^97_gone.ipynb: cannot read the solution"):
        load_reference(tmp_path / "97_gone.ipynb")
