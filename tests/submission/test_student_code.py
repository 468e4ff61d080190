"""The one guarded reader of student code: a value for any text, never an exception; cells as
Jupyter numbers them; definitions the book's way (`@d2l.add_to_class`)."""

from __future__ import annotations

import ast

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from grader.submission.student_code import (TOO_DEEP, TOO_LONG, MAX_TEXT_CHARS, Parsed, attached_methods,
                                            cells_of_sources, code_cells, definitions, last_definition,
                                            parse, python_of, read, unparse, walk, written_files)

LONG_SUM = "def softmax(X):\n    return " + " + ".join(["X"] * 1000) + "\n"
PIECES = [*"abdefXy_ ()[]{}:=+-*/%!?.,'\"\\#@\n\t0123456789", "def ", "class ", "%%time\n", "!ls", "%pip ",
          "lambda ", "if ", "\x00", "é", "\n    ", "@d2l.add_to_class(A)\n"]
PYTHONISH = st.lists(st.sampled_from(PIECES), max_size=120).map("".join)
TEXT = st.one_of(st.text(max_size=300), PYTHONISH)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXT)
def test_any_text_gives_a_value(text):
    parsed = read(text)
    assert isinstance(parsed, Parsed) and (parsed.tree is None) == bool(parsed.problem)
    assert isinstance(python_of(text), str)
    cells = cells_of_sources([text, text])
    assert [cell.number for cell in cells] == [1, 2]
    assert isinstance(definitions(cells, "f"), tuple) and isinstance(attached_methods(cells, "A"), tuple)
    if parsed.tree is not None:
        assert all(isinstance(node, ast.AST) for node in walk(parsed.tree))
        assert unparse(parsed.tree) is None or isinstance(unparse(parsed.tree), str)


@settings(max_examples=50, deadline=None)
@given(st.integers(min_value=1, max_value=3000), st.sampled_from(["(", "[", "-", "not ", "X + "]))
def test_deep_nesting_gives_a_value(depth, piece):
    closing = {"(": ")", "[": "]"}.get(piece, "")
    text = "y = " + piece * depth + "1" + closing * depth
    parsed = read(text)
    assert parsed.tree is not None or parsed.problem in (TOO_DEEP,) or parsed.problem.startswith("SyntaxError")
    if parsed.tree is not None:
        sum(1 for _ in walk(parsed.tree))  # iterative: any depth


def test_a_thousand_term_expression_is_read_and_its_unparse_guarded():
    tree = parse(LONG_SUM)
    assert tree is not None and sum(isinstance(n, ast.BinOp) for n in walk(tree)) == 999
    assert unparse(tree) is None or "X + X" in unparse(tree)


def test_long_texts_and_non_text_are_refused_with_a_reason():
    assert read("x = 1\n" * (MAX_TEXT_CHARS // 6 + 1)).problem == TOO_LONG
    assert read(None).tree is None  # type: ignore[arg-type]
    assert read("x = 1\x00").tree is None
    assert read("def f(:\n  pass").problem == "SyntaxError: invalid syntax (line 1)"


def test_cells_are_numbered_as_jupyter_numbers_them_and_read_as_ipython_reads_them():
    notebook = new_notebook(cells=[new_markdown_cell("# title"), new_code_cell("!pip install d2l\nimport torch"),
                                   new_markdown_cell("text"), new_code_cell("%%time\ndef softmax(X):\n    return X")])
    cells = code_cells(notebook)
    assert [(c.index, c.number) for c in cells] == [(1, 1), (3, 2)]
    assert cells[0].python.startswith("get_ipython().system('pip install d2l')")
    assert last_definition(cells, "softmax").cell.number == 2  # %%time runs its body in the notebook


def test_definitions_in_the_order_they_run_and_methods_the_book_attaches():
    cells = cells_of_sources([
        "from d2l import torch as d2l\nclass Model(d2l.Module):\n    def forward(self, X):\n        return X",
        "@d2l.add_to_class(Model)\ndef loss(self, y_hat, y):\n    return 0",
        "class Model(d2l.Module):\n    pass",  # a new class: the method attached before is gone
        "@d2l.add_to_class(Model)\ndef forward(self, X):\n    return 2 * X",
        "if True:\n    softmax = lambda X: X\nsoftmax, other = None, 1",
    ])
    assert [d.kind for d in definitions(cells, "Model")] == ["class", "class"]
    assert [(d.node.name, d.cell.number) for d in attached_methods(cells, "Model")] == [("forward", 4)]
    assert definitions(cells, "forward") == ()  # attached, not a top-level binding of its own
    assert [(d.kind, d.cell.number) for d in definitions(cells, "softmax")] == [("assign", 5), ("assign", 5)]
    assert last_definition(cells, "d2l").kind == "import"


def test_files_written_by_writefile():
    cells = cells_of_sources(["%%writefile helpers.py\ndef f():\n    return 1\n",
                              "%%writefile -a helpers.py\nx = 2\n", "%%writefile other.py\ny = 3\n"])
    assert written_files(cells) == {"helpers.py": "def f():\n    return 1\nx = 2\n", "other.py": "y = 3\n"}
