"""Reading a student's code in the grading process: the one guarded way to turn notebook text into
Python syntax trees, used by every reader of student source (fingerprints, source scans, the
explanations of missing names, the static source facts).

Student text is untrusted and may be strange: IPython syntax (`%magic`, `!shell`), a cell that
does not parse, a 1,000-term expression, megabytes of code. Every function here returns a value
for any text and never raises:

- `python_of(source)` -> the cell as IPython runs it (IPython's own input transformers:
  `!ls` becomes `get_ipython().system('ls')`, `%%writefile` a `run_cell_magic` call); Python
  stays Python (a continuation line starting with `!=` is untouched).
- `read(text)` -> `Parsed(tree, problem)`: the tree, or None and one line saying why
  ("SyntaxError: invalid syntax (line 3)", "too long to read", "too deeply nested to read").
- `code_cells(notebook)` -> each code cell with its Jupyter number (code cells counted from 1),
  its text, its Python and its tree.
- `definitions(cells, name)`, `attached_methods(cells, cls)`, `last_definition(...)`: the
  top-level bindings of a name, and the methods the book attaches to a class in later cells
  with `@d2l.add_to_class(Cls)`.
- `walk(node)` is iterative (any depth); `unparse(node)` and `guarded(fn, ...)` turn the
  `RecursionError` of a recursive tree operation (`ast.unparse`, a `NodeTransformer`) on a
  deep tree into None.
"""

from __future__ import annotations

import ast
from collections import deque
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator, TypeVar

MAX_TEXT_CHARS = 1_000_000  # longer texts are not parsed ("too long to read")
MAX_NOTEBOOK_CHARS = 5_000_000  # code cells past this many characters in all are not parsed
TOO_LONG = "too long to read"
TOO_DEEP = "too deeply nested to read"
NOT_TEXT = "not text"
_BINDING_BLOCKS = (ast.If, ast.Try, ast.With, ast.For, ast.While, ast.AsyncFor, ast.AsyncWith)
if hasattr(ast, "TryStar"):  # Python 3.11+
    _BINDING_BLOCKS += (ast.TryStar,)
UNWRAPPED_CELL_MAGICS = frozenset({"time", "capture"})  # they run their body in the notebook's namespace
DEFINITION = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
T = TypeVar("T")


@dataclass(frozen=True)
class Parsed:
    tree: ast.Module | None
    problem: str = ""  # why there is no tree: "SyntaxError: … (line 3)", TOO_LONG, TOO_DEEP


@dataclass(frozen=True)
class SourceCell:
    """One code cell of a notebook, read."""

    index: int  # its position among all the notebook's cells, from 0
    number: int  # the number Jupyter shows for a run from the top: code cells counted from 1
    source: str  # its text: as written (a graded copy's cell with parts set aside: as the kernel runs it)
    python: str  # as IPython runs it (`python_of`)
    tree: ast.Module | None  # None when it does not parse (`problem` says why)
    problem: str = ""


@dataclass(frozen=True)
class Definition:
    """A top-level binding of a name in a notebook, or a method attached to a class."""

    name: str
    kind: str  # "def", "class", "assign", "import" or "method" (`@add_to_class(owner)`)
    cell: SourceCell
    node: ast.stmt  # the statement that binds it (the def, the class, the assignment, the import)
    owner: str = ""  # for a "method": the class it is attached to


def python_of(source: str) -> str:
    """The cell as IPython runs it (its input transformers); the text itself when IPython
    cannot transform it (then it does not run as IPython syntax either). The body of a cell
    magic that runs it in the notebook's namespace (`%%time`, `%%capture`) is that body's
    Python: what it defines, the notebook has."""
    if not isinstance(source, str) or len(source) > MAX_TEXT_CHARS:
        return source if isinstance(source, str) else ""
    from IPython.core.inputtransformer2 import TransformerManager

    for _ in range(4):  # %%capture around %%time around the code
        try:
            python = TransformerManager().transform_cell(source)
        except Exception:  # noqa: BLE001 - IPython's tokenizer on strange text; RecursionError, MemoryError
            return source
        magic = cell_magic_of(python)
        if magic is None or magic[0] not in UNWRAPPED_CELL_MAGICS:
            return python
        source = magic[2]
    return python


def cell_magic_of(python: str) -> tuple[str, str, str] | None:
    """(name, its line, its body) when `python` is IPython's text for a cell magic
    (`get_ipython().run_cell_magic('writefile', 'helpers.py', '...')`), else None."""
    if not python.startswith("get_ipython().run_cell_magic("):
        return None
    tree = parse(python)
    call = tree.body[0].value if tree is not None and len(tree.body) == 1 and isinstance(tree.body[0], ast.Expr) else None
    if not isinstance(call, ast.Call) or len(call.args) != 3:
        return None
    values = [a.value for a in call.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    return (values[0], values[1], values[2]) if len(values) == 3 else None


def written_files(cells: Iterable[SourceCell]) -> dict[str, str]:
    """What `%%writefile name` cells write, in order (the last text of each name): name -> text."""
    written: dict[str, str] = {}
    for cell in cells:
        magic = cell_magic_of(cell.python)
        if magic is not None and magic[0] == "writefile":
            arguments = magic[1].split()
            if arguments and not arguments[-1].startswith("-"):
                append = "-a" in arguments or "--append" in arguments
                written[arguments[-1]] = (written.get(arguments[-1], "") if append else "") + magic[2]
    return written


def read(text: str) -> Parsed:
    """`text` parsed as Python (not IPython: see `python_of`), or why it cannot be."""
    if not isinstance(text, str):
        return Parsed(None, NOT_TEXT)
    if len(text) > MAX_TEXT_CHARS:
        return Parsed(None, TOO_LONG)
    try:
        return Parsed(ast.parse(text))
    except SyntaxError as error:  # IndentationError, TabError too
        kind, message = type(error).__name__, error.msg or "invalid syntax"
        if "too many nested" in message or "too complex" in message:
            return Parsed(None, TOO_DEEP)
        return Parsed(None, f"{kind}: {message} (line {error.lineno})" if error.lineno else f"{kind}: {message}")
    except (RecursionError, MemoryError):
        return Parsed(None, TOO_DEEP)
    except (ValueError, OverflowError):  # a null byte; a number the parser will not hold
        return Parsed(None, "SyntaxError: the text holds characters Python does not accept")


def parse(text: str) -> ast.Module | None:
    """`read(text).tree`: the syntax tree, or None."""
    return read(text).tree


def parse_leniently(source: str) -> ast.Module:
    """The code as IPython reads it, guarded; when the whole does not parse, each
    blank-line-separated piece that does (one broken cell hides nothing)."""
    tree = parse(python_of(source))
    if tree is not None:
        return tree
    body: list[ast.stmt] = []
    for chunk in source.split("\n\n"):
        piece = parse(python_of(chunk))
        body.extend(piece.body if piece is not None else [])
    return ast.Module(body=body, type_ignores=[])


def code_cells(notebook: Any) -> tuple[SourceCell, ...]:
    """The code cells of a notebook (`nbformat`, or anything with `.cells` of dicts), read as
    IPython would run them."""
    cells: list[SourceCell] = []
    budget = MAX_NOTEBOOK_CHARS
    for index, cell in enumerate(getattr(notebook, "cells", None) or ()):
        if _get(cell, "cell_type") != "code":
            continue
        source = _get(cell, "source")
        source = "".join(source) if isinstance(source, list) else source
        source = source if isinstance(source, str) else ""
        budget -= len(source)
        python = python_of(source) if budget >= 0 else source
        parsed = read(python) if budget >= 0 else Parsed(None, TOO_LONG)
        cells.append(SourceCell(index, len(cells) + 1, source, python, parsed.tree, parsed.problem))
    return tuple(cells)


def cells_of_sources(sources: Iterable[str]) -> tuple[SourceCell, ...]:
    """Code cells from their texts alone (a live notebook's history, a test)."""
    return code_cells(_Notebook([{"cell_type": "code", "source": s} for s in sources]))


def top_level_statements(tree: ast.Module) -> Iterator[ast.stmt]:
    """The statements that run at a module's top level: its body, and the bodies of the `if`,
    `try`, `with` and loop blocks there (not the insides of functions or classes)."""
    pending = deque(tree.body)
    while pending:
        node = pending.popleft()
        yield node
        if isinstance(node, _BINDING_BLOCKS):
            inner = [*getattr(node, "body", []), *getattr(node, "orelse", []), *getattr(node, "finalbody", [])]
            for handler in getattr(node, "handlers", []):
                inner.extend(handler.body)
            pending.extendleft(reversed(inner))


def definitions(cells: Iterable[SourceCell], name: str) -> tuple[Definition, ...]:
    """Every top-level binding of `name` in the cells, in the order they run (cell, then line).
    A `def` decorated with `@d2l.add_to_class(Cls)` is a "method" of `Cls` (the book's way to
    add a method in a later cell), not a binding of its own name."""
    found: list[Definition] = []
    for cell in cells:
        if cell.tree is None:
            continue
        for node in top_level_statements(cell.tree):
            found.extend(d for d in _bindings(node, cell) if d.name == name and d.kind != "method")
    return tuple(found)


def last_definition(cells: Iterable[SourceCell], name: str) -> Definition | None:
    """The binding of `name` that holds at the end of a run from the top, if any."""
    found = definitions(cells, name)
    return found[-1] if found else None


def attached_methods(cells: Iterable[SourceCell], owner: str) -> tuple[Definition, ...]:
    """Methods attached to the class `owner` with `@add_to_class(owner)` (any module's:
    `d2l.add_to_class`, or a name imported from it) after its last `class owner` statement."""
    cells = tuple(cells)
    found: list[Definition] = []
    for cell in cells:
        if cell.tree is None:
            continue
        for node in top_level_statements(cell.tree):
            if isinstance(node, ast.ClassDef) and node.name == owner:
                found.clear()  # a class statement makes a new class: earlier attachments are gone
            found.extend(d for d in _bindings(node, cell) if d.kind == "method" and d.owner == owner)
    return tuple(found)


def walk(node: ast.AST) -> Iterator[ast.AST]:
    """Every node under `node`, itself included, without recursion (any depth)."""
    return ast.walk(node)


def guarded(function: Callable[..., T], *args: Any, default: T | None = None) -> T | None:
    """`function(*args)`, or `default` when it runs out of stack or memory on a deep or huge
    tree (`ast.unparse`, `ast.NodeTransformer`, `compile`)."""
    try:
        return function(*args)
    except (RecursionError, MemoryError):
        return default


def unparse(node: ast.AST) -> str | None:
    """`ast.unparse(node)`, or None for a tree too deep for it."""
    return guarded(ast.unparse, node)


def _bindings(node: ast.stmt, cell: SourceCell) -> list[Definition]:
    if isinstance(node, DEFINITION):
        owner = _attached_to(node)
        if owner:
            return [Definition(node.name, "method", cell, node, owner)]
        return [Definition(node.name, "class" if isinstance(node, ast.ClassDef) else "def", cell, node)]
    if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return [Definition(n.id, "assign", cell, node) for target in targets
                for n in _target_names(target)]
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return [Definition(alias.asname or alias.name.split(".")[0], "import", cell, node)
                for alias in node.names if alias.name != "*"]
    return []


def _target_names(target: ast.AST) -> list[ast.Name]:
    pending, names = [target], []
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Name):
            names.append(node)
        elif isinstance(node, (ast.Tuple, ast.List)):
            pending.extend(reversed(node.elts))
        elif isinstance(node, ast.Starred):
            pending.append(node.value)
    return names


def _attached_to(node: ast.stmt) -> str:
    """'Cls' for a definition decorated with `@add_to_class(Cls)` or `@<module>.add_to_class(Cls)`."""
    for decorator in getattr(node, "decorator_list", []):
        if not isinstance(decorator, ast.Call) or not decorator.args:
            continue
        called = decorator.func
        called_name = called.attr if isinstance(called, ast.Attribute) else getattr(called, "id", "")
        if called_name == "add_to_class" and isinstance(decorator.args[0], ast.Name):
            return decorator.args[0].id
    return ""


def _get(cell: Any, key: str) -> Any:
    try:
        return cell.get(key) if hasattr(cell, "get") else getattr(cell, key, None)
    except Exception:  # noqa: BLE001 - a strange mapping: no value
        return None


@dataclass(frozen=True)
class _Notebook:
    cells: list[dict]
