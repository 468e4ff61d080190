"""What of a cell runs at grading, read with IPython's own input transformers: one case per magic
the book's and Colab's notebooks use. No kernel starts here (tests/execute/test_magics.py runs a few
for real)."""

from __future__ import annotations

import ast

import pytest

from grader.submission.ipython_syntax import MAGIC, PACKAGES, SHELL, for_grading, not_run_note

RUN_AS_WRITTEN = [
    "%%writefile helpers.py\ndef softmax(X):\n    return X\n",
    "%%writefile -a helpers.py\nx = 1\n",
    "%%time\nmodel = 1\n",
    "%%timeit\nsum(range(10))\n",
    "%%capture output\nprint('hidden')\n",
    "%%capture --no-stderr\nimport torch\n",
    "%matplotlib inline\nimport torch",
    "%config InlineBackend.figure_format = 'svg'",
    "%load_ext autoreload\n%autoreload 2",
    "%time y = sum(range(10))",
    "%timeit sum(range(10))",
    "%run helpers.py",
    "%cd /tmp\n%pwd",
    "%env CUDA_VISIBLE_DEVICES=",
    "torch.softmax?",
    "%%html\n<b>plots below</b>",
    "%%markdown\n**hi**",
    "if (a\n!= b):\n    c = 1\n",  # Python stays Python: a continuation line that starts with !=
    "total = (1\n         != 2)\n",
    "def f():\n    return 1\n",
    "def broken(:\n    !ls\n",  # not Python: the kernel fails on it as IPython does; nothing is hidden
]

NOT_RUN = [  # (cell, kind, what the report shows)
    ("!pip install d2l==1.0.3", SHELL, "!pip install d2l==1.0.3"),
    ("!nvidia-smi", SHELL, "!nvidia-smi"),
    ("!wget https://example.org/data.csv", SHELL, "!wget https://example.org/data.csv"),
    ("files = !ls data", SHELL, "files = !ls data"),
    ("files = %sx ls", SHELL, "files = %sx ls"),
    ("%system ls", SHELL, "%system ls"),
    ("%ls", SHELL, "%ls"),
    ("%%bash\npip install d2l", SHELL, "%%bash"),
    ("%%sh\nls", SHELL, "%%sh"),
    ("%%script bash\nls", SHELL, "%%script bash"),
    ("%pip install d2l==1.0.3", PACKAGES, "%pip install d2l==1.0.3"),
    ("%conda install numpy", PACKAGES, "%conda install numpy"),
    ("pip install d2l", PACKAGES, "pip install d2l"),  # automagic's form, one line alone
    ("%load https://example.org/helpers.py", MAGIC, "%load https://example.org/helpers.py"),
    ("%tensorflow_version 2.x", MAGIC, "%tensorflow_version 2.x"),
    ("%time !ls", SHELL, "%time !ls"),
    ("%run -m pip install d2l", MAGIC, "%run -m pip install d2l"),
    ("%run setup.ipy", MAGIC, "%run setup.ipy"),
]


@pytest.mark.parametrize("cell", RUN_AS_WRITTEN)
def test_cells_that_run_at_grading_are_sent_as_written(cell):
    grading = for_grading(cell)
    assert grading.not_run == ()
    assert grading.source == cell


@pytest.mark.parametrize("cell, kind, shown", NOT_RUN)
def test_cells_that_cannot_run_at_grading_are_left_out_and_named(cell, kind, shown):
    grading = for_grading(cell)
    assert [(part.kind, part.text) for part in grading.not_run] == [(kind, shown)]
    ast.parse(grading.source)  # what the kernel runs instead is plain Python
    assert "get_ipython" not in grading.source


def test_the_rest_of_a_cell_runs_around_what_is_left_out():
    grading = for_grading("!pip install d2l\nimport torch\nfor p in ['a']:\n    !pip install {p}\nx = 1")
    assert len(grading.not_run) == 2
    tree = ast.parse(grading.source)
    assert [type(node).__name__ for node in tree.body] == ["Pass", "Import", "For", "Assign"]
    assert isinstance(tree.body[2].body[0], ast.Pass)


def test_a_shell_capture_gives_an_empty_list():
    namespace: dict = {}
    exec(for_grading("files = !ls\ncount = len(files)").source, namespace)
    assert namespace["count"] == 0


@pytest.mark.parametrize("magic", ["%%time", "%%capture out", "%%timeit"])
def test_a_timed_or_captured_cell_runs_its_body_without_its_shell_lines(magic):
    grading = for_grading(f"{magic}\n!pip install d2l\ndef softmax(X):\n    return X\n")
    assert [part.text for part in grading.not_run] == ["!pip install d2l"]
    assert grading.source.startswith(magic + "\n")
    body = grading.source.split("\n", 1)[1]
    assert [type(node).__name__ for node in ast.parse(body).body] == ["Pass", "FunctionDef"]


def test_one_line_per_cell_names_what_was_not_run():
    grading = for_grading("!nvidia-smi\n%pip install d2l\n!ls")
    assert not_run_note(1, grading.not_run) == (
        "code cell 1: shell commands and package install not run at grading (!nvidia-smi; %pip install d2l; !ls)")
    assert not_run_note(3, for_grading("!pip install d2l").not_run) == \
        "code cell 3: shell command not run at grading (!pip install d2l)"
