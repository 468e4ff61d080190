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


@dataclass(frozen=True)
class ForbiddenUse:
    name: str  # the forbidden API as written, e.g. "torch.softmax"
    function: str  # the notebook function it appears in
    line: int  # line within the submission's code (cells joined)


def _to_python(source: str) -> str:
    from IPython.core.inputtransformer2 import TransformerManager

    try:
        return TransformerManager().transform_cell(source)
    except Exception:  # noqa: BLE001 - fall back to the raw text
        return source


def _parse(source: str) -> ast.Module | None:
    for text in (source, _to_python(source)):
        try:
            return ast.parse(text)
        except SyntaxError:
            continue
    # one broken cell must not hide the rest: parse cell by cell
    body: list[ast.stmt] = []
    for chunk in source.split("\n\n"):
        try:
            body.extend(ast.parse(_to_python(chunk)).body)
        except SyntaxError:
            continue
    return ast.Module(body=body, type_ignores=[])


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    if isinstance(node, ast.Name):
        return node.id
    return "…"


def forbidden_uses(source: str, function: str, forbidden: set[str]) -> list[ForbiddenUse]:
    """Uses of any name in `forbidden` (last component: "softmax", "relu") inside `function`."""
    tree = _parse(source)
    if tree is None:
        return []
    definitions: dict[str, ast.AST] = {}
    aliases: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if alias.name.split(".")[-1] in forbidden:
                    aliases.add(alias.asname or alias.name.split(".")[0])
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            definitions[node.name] = node
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name) and any(
                    isinstance(n, ast.Attribute) and n.attr in forbidden for n in ast.walk(node.value)
                ):
                    aliases.add(target.id)
    found: list[ForbiddenUse] = []
    seen: set[str] = set()
    pending = [function]
    while pending:
        name = pending.pop()
        if name in seen or name not in definitions:
            continue
        seen.add(name)
        for node in ast.walk(definitions[name]):
            if isinstance(node, ast.Attribute) and node.attr in forbidden:
                found.append(ForbiddenUse(_dotted(node), name, node.lineno))
            elif isinstance(node, ast.Name):
                if node.id in aliases:
                    found.append(ForbiddenUse(node.id, name, node.lineno))
                elif node.id in definitions and node.id != name:
                    pending.append(node.id)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in forbidden:
                found.append(ForbiddenUse(repr(node.value), name, node.lineno))
    return found
