"""Finding forbidden APIs in the source of a student's function, without running it.

The scan starts at a top-level function or class of the submitted notebook and follows the
notebook's own top-level functions it calls, so a helper does not hide a forbidden call. It
sees attribute uses (`torch.softmax`, `X.softmax`, `F.cross_entropy`), names imported under
another name (`from torch import softmax as sm`) and names spelled in strings (`getattr`).
Code built at run time (`eval`, string concatenation) is beyond a static scan.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from grader.submission.student_code import parse_leniently


@dataclass(frozen=True)
class ForbiddenUse:
    name: str  # the forbidden API as written, e.g. "torch.softmax"
    function: str  # the notebook function it appears in
    line: int  # line within the submission's code (cells joined)


_parse = parse_leniently  # the guarded reader of grader.submission.student_code


def _dotted(node: ast.AST) -> str:
    """"torch.nn.functional.softmax" for an attribute chain (iterative: any length)."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    parts.append(node.id if isinstance(node, ast.Name) else "…")
    return ".".join(reversed(parts))


def bound_inside(node: ast.AST, definitions: bool = False) -> set[str]:
    """Names bound inside a def, lambda or class (arguments, assignments; with `definitions`, the
    functions and classes defined inside it too): they shadow globals."""
    names: set[str] = set()
    for inner in ast.walk(node):
        if isinstance(inner, ast.arg):
            names.add(inner.arg)
        elif isinstance(inner, ast.Name) and isinstance(inner.ctx, (ast.Store, ast.Del)):
            names.add(inner.id)
        elif definitions and isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) \
                and inner is not node:
            names.add(inner.name)
    return names


def _refers_to(value: ast.AST, forbidden: set[str], aliases: set[str]) -> bool:
    """`value` is the forbidden function itself (`torch.relu`, `F.relu`, an alias), not a call."""
    if isinstance(value, ast.Attribute):
        return value.attr in forbidden
    return isinstance(value, ast.Name) and value.id in aliases


def forbidden_uses(source: str, function: str, forbidden: set[str]) -> list[ForbiddenUse]:
    """Uses of any name in `forbidden` (last component: "softmax", "relu") inside `function`.

    `function` is what the notebook's last top-level binding of that name holds: a def or class,
    or an assignment (`relu = torch.relu`, `norm = lambda A: ...`) or an import
    (`from torch.nn.functional import relu`). Inside it, names it binds itself (arguments, local
    variables) are its own, whatever the notebook's top level binds to them."""
    top = _TopLevel(_parse(source), forbidden)
    root = top.last.get(function)
    if isinstance(root, (ast.Import, ast.ImportFrom)):
        return [ForbiddenUse(alias.name, function, root.lineno) for alias in root.names
                if (alias.asname or alias.name.split(".")[0]) == function
                and alias.name.split(".")[-1] in forbidden]
    if isinstance(root, (ast.Assign, ast.AnnAssign)):
        return _scan(function, root.value, top, forbidden)
    if function not in top.definitions:
        return []
    return _scan(function, top.definitions[function], top, forbidden)


class _TopLevel:
    """What the notebook's top level binds: functions to follow, and names for forbidden APIs."""

    def __init__(self, tree: ast.Module, forbidden: set[str]) -> None:
        self.definitions: dict[str, ast.AST] = {}  # top-level defs, classes and lambdas
        self.aliases: set[str] = set()  # names that stand for a forbidden function
        self.last: dict[str, ast.AST] = {}  # the last top-level binding of each name
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                self.aliases.update(alias.asname or alias.name.split(".")[0] for alias in node.names
                                    if alias.name.split(".")[-1] in forbidden)
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                self.definitions[node.name] = self.last[node.name] = node
            elif isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
                self._assignment(node, forbidden)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                self.last.update({alias.asname or alias.name.split(".")[0]: node for alias in node.names})

    def _assignment(self, node: ast.Assign | ast.AnnAssign, forbidden: set[str]) -> None:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        simple = [t.id for t in targets if isinstance(t, ast.Name)]
        self.last.update({n.id: node for target in targets for n in ast.walk(target) if isinstance(n, ast.Name)})
        if _refers_to(node.value, forbidden, self.aliases):
            self.aliases.update(simple)
        elif isinstance(node.value, ast.Lambda):
            self.definitions.update({name: node.value for name in simple})
        elif isinstance(node.value, ast.Tuple):  # relu, sm = torch.relu, F.softmax
            for target in targets:
                if isinstance(target, ast.Tuple) and len(target.elts) == len(node.value.elts):
                    self.aliases.update(t.id for t, v in zip(target.elts, node.value.elts)
                                        if isinstance(t, ast.Name) and _refers_to(v, forbidden, self.aliases))


def _scan(function: str, body: ast.AST, top: _TopLevel, forbidden: set[str]) -> list[ForbiddenUse]:
    """Forbidden uses in `body` and in the top-level functions it calls, each visited once."""
    found: list[ForbiddenUse] = []
    seen: set[str] = set()
    pending: list[tuple[str, ast.AST]] = [(function, body)]
    while pending:
        name, body = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        own = bound_inside(body)
        for node in ast.walk(body):
            if isinstance(node, ast.Attribute) and node.attr in forbidden:
                found.append(ForbiddenUse(_dotted(node), name, node.lineno))
            elif isinstance(node, ast.Name) and node.id not in own:
                if node.id in top.aliases:
                    found.append(ForbiddenUse(node.id, name, node.lineno))
                elif node.id in top.definitions and node.id != name:
                    pending.append((node.id, top.definitions[node.id]))
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in forbidden:
                found.append(ForbiddenUse(repr(node.value), name, node.lineno))
    return found
