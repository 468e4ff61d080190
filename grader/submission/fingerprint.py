"""Fingerprints of a submission, so that the class page can tell identical or near-identical
work handed in by different students.

Two kinds, as `(name, text)` pairs for `GradeReport.fingerprints`:

- `NOTEBOOK_FINGERPRINT` -> the SHA-256 of the notebook file's bytes: the same file handed in
  twice (the batch's cache would otherwise reuse one student's result for the other silently).
- `<graded name>` -> the normalised source of the function or class that name is, as the
  notebook last defines it: no comments, docstrings, annotations or layout, and its arguments
  and local variables renamed `v0, v1, …` in order of appearance (globals, attributes and
  called functions keep their names). Two students who differ only in those get equal texts;
  the class page compares the rest with `difflib` (`grader.reporters.similarity`).

A name the notebook leaves as the assignment's stub (`raise NotImplementedError`, or `pass`)
gets no fingerprint: every student who skipped it would look alike. The code is read through
`grader.submission.student_code` (IPython's syntax, one cell at a time, guarded): a cell that
does not parse, or a definition too deep to normalise (a 1,000-term expression), gets no
fingerprint and stops nothing else.
"""

from __future__ import annotations

import ast
import hashlib
from pathlib import Path
from typing import Iterable, Sequence

from grader.submission.student_code import (SourceCell, definitions, guarded, parse, python_of, unparse,
                                            walk)

NOTEBOOK_FINGERPRINT = "(notebook)"  # the same key as grader.results.NOTEBOOK_FINGERPRINT
_DEFINITION = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def fingerprint_submission(path: Path, cells: Sequence[SourceCell],
                           graded_names: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """The notebook file's digest, then each graded name's normalised source (sorted by name)."""
    pairs: list[tuple[str, str]] = []
    try:
        pairs.append((NOTEBOOK_FINGERPRINT, hashlib.sha256(Path(path).read_bytes()).hexdigest()))
    except OSError:
        pass
    for name in sorted({n for n in graded_names if n}):
        found = [d for d in definitions(cells, name) if d.kind in ("def", "class")]
        text = normalised_source(found[-1].node) if found else None
        if text is not None:
            pairs.append((name, text))
    return tuple(pairs)


def top_level_definitions(source: str) -> dict[str, ast.AST]:
    """Name -> the last top-level `def` or `class` of that name in one text of code (IPython
    syntax read as IPython reads it); when the whole does not parse, each top-level
    definition on its own."""
    tree = parse(python_of(source))
    trees = [tree] if tree is not None else [parse(python_of(block)) for block in _definition_blocks(source)]
    found: dict[str, ast.AST] = {}
    for tree in trees:
        for node in tree.body if tree is not None else ():
            if isinstance(node, _DEFINITION):
                found[node.name] = node
    return found


def _definition_blocks(source: str) -> list[str]:
    """Texts that start at a top-level `def`, `class` or decorator and run until the next line
    that starts at column 0 with something else."""
    blocks: list[list[str]] = []
    current: list[str] | None = None
    for line in source.splitlines():
        starts = line[:1] not in ("", " ", "\t", "#", ")", "]", "}")
        if starts and line.startswith(("def ", "async def ", "class ", "@")):
            if current is None or not (current and current[-1].startswith("@")):
                current = []
                blocks.append(current)
            current.append(line)
        elif starts:
            current = None
        elif current is not None:
            current.append(line)
    return ["\n".join(block) for block in blocks]


def normalised_source(definition: ast.AST) -> str | None:
    """The definition's code with comments, docstrings, annotations and local names normalised;
    None for a stub, and for a definition too deep to normalise (the transformers recurse)."""
    return guarded(_normalised, definition)


def _normalised(definition: ast.AST) -> str | None:
    copied = _copy(definition)
    if copied is None:
        return None
    tree = _Stripper().visit(copied)
    if _is_stub(tree):
        return None
    renamed = _Renamer(_local_names(tree), keep=tree.name).visit(tree)
    return unparse(ast.fix_missing_locations(renamed))


def _copy(node: ast.AST) -> ast.AST | None:
    text = unparse(node)
    tree = parse(text) if text is not None else None
    return tree.body[0] if tree is not None and tree.body else None


def _is_stub(definition: ast.AST) -> bool:
    body = [node for node in definition.body if not isinstance(node, ast.Pass)]
    if isinstance(definition, ast.ClassDef):
        return all(isinstance(node, _DEFINITION) and _is_stub(node) for node in body)
    if not body:
        return True
    if len(body) == 1 and isinstance(body[0], ast.Raise) and body[0].exc is not None:
        raised = body[0].exc.func if isinstance(body[0].exc, ast.Call) else body[0].exc
        return isinstance(raised, ast.Name) and raised.id == "NotImplementedError"
    return False


class _Stripper(ast.NodeTransformer):
    """Drops docstrings and other bare string statements, and type annotations."""

    def generic_visit(self, node: ast.AST) -> ast.AST:
        super().generic_visit(node)
        for field in ("body", "orelse", "finalbody"):
            statements = getattr(node, field, None)
            if isinstance(statements, list) and statements and isinstance(statements[0], ast.stmt):
                kept = [s for s in statements if not (isinstance(s, ast.Expr)
                                                       and isinstance(s.value, ast.Constant))]
                setattr(node, field, kept or [ast.Pass()])
        if isinstance(node, ast.arg):
            node.annotation = None
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            node.returns = None
        return node


def _local_names(definition: ast.AST) -> set[str]:
    """Arguments, assigned names and nested definitions inside `definition` (not its own name,
    not names declared global or nonlocal)."""
    names: set[str] = set()
    declared: set[str] = set()
    for node in walk(definition):
        if isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, _DEFINITION) and node is not definition:
            if not isinstance(definition, ast.ClassDef) or not _is_method(definition, node):
                names.add(node.name)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            declared.update(node.names)
    return names - declared


def _is_method(cls: ast.ClassDef, node: ast.AST) -> bool:
    return node in cls.body  # a method's name is part of the class's interface: kept


class _Renamer(ast.NodeTransformer):
    """Renames `local` names to v0, v1, … in the order they are first met."""

    def __init__(self, local: set[str], keep: str) -> None:
        self.local = local - {keep}
        self.new: dict[str, str] = {}

    def _name(self, old: str) -> str:
        if old not in self.local:
            return old
        return self.new.setdefault(old, f"v{len(self.new)}")

    def visit_Name(self, node: ast.Name) -> ast.AST:
        node.id = self._name(node.id)
        return node

    def visit_arg(self, node: ast.arg) -> ast.AST:
        node.arg = self._name(node.arg)
        return node

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> ast.AST:
        if node.name:
            node.name = self._name(node.name)
        return self.generic_visit(node)

    def visit_FunctionDef(self, node: ast.AST) -> ast.AST:
        node.name = self._name(node.name)
        return self.generic_visit(node)

    visit_AsyncFunctionDef = visit_FunctionDef
    visit_ClassDef = visit_FunctionDef
