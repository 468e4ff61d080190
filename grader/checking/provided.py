"""Whether a graded name is the provided `d2l`'s own object rather than the student's work,
read statically from the notebook's text in the grading process.

The grading kernel provides the course's `d2l` (and Colab the real one): `SGD = d2l.SGD`,
`from d2l.torch import SGD` or `accuracy = d2l.Classifier.accuracy` would hand in the
library's code as the student's. What the kernel says of an object (its `__module__`, its
`__qualname__`) is the notebook's to forge, so the notebook's own text decides: the LAST
top-level binding of the graded name (a later definition replaces an earlier one) must be the
student's own:

- an import from `d2l` (`from d2l.torch import SGD`) is d2l's;
- an assignment whose value mentions `d2l` anywhere (`SGD = d2l.SGD`, `getattr(d2l, "SGD")`,
  `d2l.Classifier().accuracy`), or names another binding that is d2l's, is d2l's;
- a class is the student's when each of its bases is (the book's scaffolding, `d2l.HyperParameters`,
  `d2l.Module`, `d2l.Classifier`, and `nn.Module`, is welcome: its methods are the student's);
  a base that is another d2l object (`class SGD(d2l.SGD)`) makes it d2l's;
- a def or a lambda is the student's, unless it (or a function of the notebook it calls) uses
  one of d2l's models or optimizers, whose code does the graded work (`d2l.Classifier().loss`
  is a cross-entropy, `d2l.Classifier.accuracy` an accuracy); the book's tensor aliases
  (`d2l.matmul`, `d2l.reshape`) are welcome;
- anything else: the student's (what a function computes is judged by its checks).
"""

from __future__ import annotations

import ast
from typing import Any

from grader.submission.student_code import parse_leniently, top_level_statements

PACKAGE = "d2l"
SCAFFOLDING = frozenset({"HyperParameters", "Module", "Classifier", "nn_Module", "DataModule"})
# d2l's objects whose code computes what a graded function must compute itself
IMPLEMENTATIONS = frozenset({"Classifier", "Module", "SGD", "LinearRegressionScratch", "LinearRegression",
                             "SoftmaxRegression", "Trainer"})


def provided_in(source: str) -> dict[str, str]:
    """`provided_names` of a notebook's code (its code cells joined), IPython syntax and all."""
    try:
        return provided_names(parse_leniently(source))
    except (RecursionError, MemoryError, ValueError):
        return {}


def provided_names(tree: ast.Module) -> dict[str, str]:
    """Each top-level name whose last binding is d2l's, with the text of that binding."""
    bindings = _last_bindings(tree)
    found: dict[str, str] = {}
    for name in bindings:
        why = _provided(name, bindings, depth=0) or _uses_implementation(name, bindings)
        if why:
            found[name] = why
    return found


def globals_in(request: Any) -> set[str]:
    """The notebook globals a request to the kernel reaches (`{"$global": name}` anywhere in it)."""
    found: set[str] = set()
    pending = [request]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            if isinstance(item.get("$global"), str):
                found.add(item["$global"])
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return found


def _bound_names(node: ast.stmt) -> list[str]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return [alias.asname or alias.name.split(".")[0] for alias in node.names]
    targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
    return [n.id for t in targets if t is not None for n in ast.walk(t) if isinstance(n, ast.Name)]


def _last_bindings(tree: ast.Module) -> dict[str, ast.stmt]:
    last: dict[str, ast.stmt] = {}
    for node in top_level_statements(tree):
        for name in _bound_names(node):
            last[name] = node
    return last


def _from_package(module: str | None) -> bool:
    return module is not None and (module == PACKAGE or module.startswith(PACKAGE + "."))


def _provided(name: str, bindings: dict[str, ast.stmt], depth: int) -> str:
    """The text of `name`'s last binding when that binding is d2l's (see the module's docstring)."""
    node = bindings.get(name)
    if depth > 20:
        return ""
    if node is None:  # never bound where this reading sees: only the package's own name counts
        return PACKAGE if name == PACKAGE else ""
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        module = node.module if isinstance(node, ast.ImportFrom) else None
        for alias in node.names:
            if (alias.asname or alias.name.split(".")[0]) == name and _from_package(module or alias.name):
                return f"from {module} import {alias.name}" if module else f"import {alias.name}"
        return ""
    if isinstance(node, ast.ClassDef):
        for base in node.bases:
            own = _d2l_expression(base, bindings, depth)
            if own and own.rsplit(".", 1)[-1].rstrip(")") not in SCAFFOLDING:
                return f"class {name}({own})"
        return ""
    value = getattr(node, "value", None)
    if value is None or isinstance(value, ast.Lambda):
        return ""
    own = _d2l_expression(value, bindings, depth)
    return f"{name} = {own}" if own else ""


def _d2l_expression(value: ast.expr, bindings: dict[str, ast.stmt], depth: int) -> str:
    """The expression's text when it mentions d2l (directly, or through another d2l binding)."""
    for node in ast.walk(value):
        if isinstance(node, ast.Name) and _provided(node.id, bindings, depth + 1):
            try:
                return ast.unparse(value)
            except RecursionError:
                return node.id
    return ""


def _uses_implementation(name: str, bindings: dict[str, ast.stmt]) -> str:
    """'def name uses d2l.X' when the function `name` (a def or a lambda), or a function of the
    notebook it calls, reaches one of d2l's IMPLEMENTATIONS; else ''."""
    pending, seen = [name], set()
    while pending:
        current = pending.pop()
        node = bindings.get(current)
        if current in seen or node is None:
            continue
        seen.add(current)
        body = node if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) else getattr(node, "value", None)
        if current != name and not isinstance(body, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue  # only the notebook's own functions are followed
        if not isinstance(body, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            return ""
        for inner in ast.walk(body):
            used = _implementation(inner, bindings)
            if used:
                return f"{name} uses {used}"
            if isinstance(inner, ast.Name) and inner.id != current:
                pending.append(inner.id)
    return ""


def _implementation(node: ast.AST, bindings: dict[str, ast.stmt]) -> str:
    """`d2l.X` (any alias of the package) or a name imported from it, X one of IMPLEMENTATIONS."""
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.attr in IMPLEMENTATIONS:
        binding = bindings.get(node.value.id)
        is_module = isinstance(binding, (ast.Import, ast.ImportFrom)) or binding is None
        if is_module and _provided(node.value.id, bindings, depth=0):
            return f"{node.value.id}.{node.attr}"
    if isinstance(node, ast.Name) and node.id in IMPLEMENTATIONS:
        binding = bindings.get(node.id)
        if isinstance(binding, ast.ImportFrom) and _provided(node.id, bindings, depth=0):
            return node.id
    return ""
