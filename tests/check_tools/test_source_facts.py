"""Static source facts read from the notebook's text in the grading process (issue 21, 1): the
graded definition and the plain definitions it uses, in plain and d2l style, read
conservatively. No kernel."""

from __future__ import annotations

import pytest

from grader.check_tools.builtins import static_builtin_uses
from grader.check_tools.source_facts import read_notebook, reached
from grader.submission.student_code import python_of

SOFTMAX = {"softmax", "log_softmax", "nll_loss", "cross_entropy"}
CLEAN = "import torch\n\ndef softmax(X):\n    E = torch.exp(X - X.max(dim=1, keepdim=True).values)\n    return E / E.sum(1, keepdim=True)\n"


def notebook(*cells: str) -> str:
    """Code cells joined as the grading process holds them (IPython syntax transformed)."""
    return "\n\n".join(python_of(cell).rstrip("\n") for cell in cells)


def facts(*cells: str, name: str = "softmax") -> tuple[list[str], str]:
    return static_builtin_uses(notebook(*cells), name, SOFTMAX)


def test_a_plain_definition_and_its_helpers_are_read():
    assert facts(CLEAN) == ([], "")
    helper = "import torch\n\ndef shifted(X):\n    return X - X.max(dim=1, keepdim=True).values\n"
    uses, why = facts(helper.replace("return X", "return torch.log_softmax(X, 1) + 0 * X"),
                      "def softmax(X):\n    E = torch.exp(shifted(X))\n    return E / E.sum(1, keepdim=True)\n")
    assert uses and "log_softmax" in uses[0] and "shifted" in uses[0] and not why


@pytest.mark.parametrize("trick, says", [
    ("softmax = getattr(torch, 'soft' + 'max')", "computed name"),
    ("def softmax(X):\n    return vars(torch)['soft' + 'max'](X, 1)", "vars"),
    ("def softmax(X):\n    return torch.__dict__['xamtfos'[::-1]](X, 1)", "__dict__"),
    ("import importlib\ndef softmax(X):\n    return importlib.import_module('torch').exp(X)", "importlib"),
    ("exec(code_text)", "exec"),
    ("from torch.nn.functional import *", "import *"),
    ("%run helpers.py", "get_ipython"),
])
def test_what_the_text_cannot_show_is_unverifiable(trick, says):
    uses, why = facts(CLEAN, trick)
    assert not uses and says in why


def test_what_the_text_spells_out_is_read_as_what_it_binds():
    assert "torch.softmax" in facts(CLEAN, 'exec("def softmax(X):\\n    return torch.softmax(X, 1)")')[0][0]
    assert "torch.softmax" in facts(CLEAN, "globals()['soft' + 'max'] = torch.softmax")[0][0]
    assert "torch.softmax" in facts(CLEAN, "%time softmax = torch.softmax")[0][0]
    assert facts(CLEAN, "%matplotlib inline", "%timeit softmax(torch.randn(3, 3))") == ([], "")


def test_a_patched_library_attribute_counts_for_the_code_that_uses_it():
    patched = "torch.exp = lambda X: torch.softmax(X, 1)"
    assert "torch.exp" not in facts(CLEAN, patched)[1] and "exp" in facts(CLEAN, patched)[1]
    other = "def accuracy(y_hat, y):\n    return (y_hat.argmax(1) == y).float().mean()\n"
    assert static_builtin_uses(notebook(CLEAN, other, patched), "accuracy", SOFTMAX) == ([], "")


def test_a_name_bound_only_inside_a_block_reads_every_binding():
    assert facts(CLEAN, "if True:\n    softmax = torch.softmax")[0]


def test_the_book_style_class_and_its_attached_methods_are_read():
    book = ("import torch\nfrom d2l import torch as d2l\n\nclass Model(d2l.Classifier):\n"
            "    def __init__(self):\n        super().__init__()\n",
            "@d2l.add_to_class(Model)\ndef forward(self, X):\n    return torch.nn.functional.softmax(X, 1)\n")
    reading = read_notebook(notebook(*book))
    code = reached(reading, "Model")
    assert len(code.code) == 2 and not code.unverifiable
    assert static_builtin_uses(notebook(*book), "Model", SOFTMAX)[0]


def test_a_graded_name_from_a_module_the_grader_does_not_read_is_unverifiable():
    written = "%%writefile mine.py\nimport torch\ndef rows(X):\n    return torch.softmax(X, 1)\n"
    uses, why = facts(written, "from mine import rows as softmax")
    assert not uses and "mine.rows" in why
    assert "torch.nn.functional.softmax" in facts("from torch.nn.functional import softmax")[0][0]


def test_strange_text_gives_a_value():
    assert facts("def softmax(X):\n    return (" + "X + " * 1000 + "X)") in (([], ""), ([], facts("")[1]))
    assert facts("def softmax(X) return X")[1]  # does not parse: nothing shows a definition
