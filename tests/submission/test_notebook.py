"""Reading submissions: malformed files get one line and their own exit status; nothing is modified."""

from __future__ import annotations

import hashlib
import json

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from grader.commands import grade as cli
from grader.errors import ExitStatus, NotANotebook, NotebookNotFound, NotebookTooOld, NotebookUnreadable
from grader.submission.notebook import load_notebook

CASES = [
    ("missing.ipynb", None, NotebookNotFound, ExitStatus.NOTEBOOK_NOT_FOUND),
    ("broken.ipynb", b'{"cells": [', NotebookUnreadable, ExitStatus.NOTEBOOK_UNREADABLE),
    ("binary.ipynb", b"\xff\xfe\x00garbage", NotebookUnreadable, ExitStatus.NOTEBOOK_UNREADABLE),
    ("list.ipynb", b"[1, 2, 3]", NotANotebook, ExitStatus.NOT_A_NOTEBOOK),
    ("nocells.ipynb", b'{"nbformat": 4, "metadata": {}}', NotANotebook, ExitStatus.NOT_A_NOTEBOOK),
    ("old.ipynb", json.dumps({"nbformat": 3, "nbformat_minor": 0, "metadata": {},
                              "worksheets": [{"cells": []}]}).encode(), NotebookTooOld,
     ExitStatus.NOTEBOOK_TOO_OLD),
]


@pytest.mark.parametrize("name, content, error, status", CASES)
def test_malformed_files_raise_their_error(tmp_path, name, content, error, status):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(error) as raised:
        load_notebook(path)
    assert raised.value.exit_status == status
    assert str(path) in str(raised.value) and "\n" not in str(raised.value)


@pytest.mark.parametrize("name, content, error, status", CASES)
def test_command_line_prints_one_line_and_exits_with_the_status(tmp_path, capsys, name, content, error, status):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    assert cli.main([str(path)]) == status
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1 and captured.err.startswith("grade: ")
    assert "Traceback" not in captured.err + captured.out


def test_shell_escapes_are_skipped_and_listed_and_the_file_is_untouched(tmp_path):
    notebook = new_notebook(cells=[
        new_code_cell("!pip install d2l\nimport torch\n%pip install torch\nx = 1"),
        new_code_cell("%%bash\nrm -rf /"),
        new_code_cell("def f():\n    !ls\n    return 2"),
        new_code_cell("%%writefile helpers.py\ndef g():\n    return 3\n"),
        new_code_cell("ok = (1\n!= 2)"),
    ])
    path = tmp_path / "shell.ipynb"
    nbformat.write(notebook, path)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    submission = load_notebook(path)
    assert submission.skipped_lines == (
        "code cell 1: shell command and package install not run at grading (!pip install d2l; %pip install torch)",
        "code cell 2: shell command not run at grading (%%bash)",
        "code cell 3: shell command not run at grading (!ls)")
    assert submission.notebook.cells[0].source == \
        "pass  # not run at grading\nimport torch\npass  # not run at grading\nx = 1\n"
    assert submission.notebook.cells[2].source == "def f():\n    pass  # not run at grading\n    return 2\n"
    assert submission.notebook.cells[3].source == "%%writefile helpers.py\ndef g():\n    return 3\n"
    assert submission.notebook.cells[4].source == "ok = (1\n!= 2)"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_notebook_without_cell_ids_loads_quietly(tmp_path):
    data = {"nbformat": 4, "nbformat_minor": 4, "metadata": {},
            "cells": [{"cell_type": "code", "source": "x = 1", "metadata": {}, "outputs": [],
                       "execution_count": None}]}
    path = tmp_path / "old_style.ipynb"
    path.write_text(json.dumps(data))
    assert load_notebook(path).source == "x = 1"
