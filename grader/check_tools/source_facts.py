"""Facts about how a student's code computes, decided from the notebook's own text in the grading
process: what the kernel says about the code (its `inspect.getsource`, what a helper there saw)
is the notebook's to forge, so it may take points away but never give them.

`read_notebook(source)` reads the notebook's code once (the guarded reader of
`grader.submission.student_code`). `reached(reading, name)` is the graded definition of `name`
and every plain definition it uses, followed through the notebook's top-level bindings in
either style the contract allows: plain (`def`, `class`, `name = ...`) or the book's d2l style
(methods attached later with `@d2l.add_to_class(Cls)`).

The reading is conservative. A fact is *unverifiable*, and earns nothing, when the text can
make what runs differ from what it says:
- in the code reached: a computed `getattr`, `globals()`, `locals()`, `vars()`, `__dict__`,
  `sys.modules`, `importlib`, `exec`/`eval`/`compile`, `builtins`, frame or code objects, a
  `global` declaration, a graded name imported from a module the grader does not read;
- anywhere in the notebook (any cell can rebind a graded name behind its text): the same
  dynamic constructs, `setattr`, `import *`, and the magics that run other code (`%run`,
  `%load_ext`, `%reset`); an attribute assigned on an imported module or on the notebook's own
  class or function (`torch.exp = ...`, `Model.parameters = ...`) for code that uses that
  attribute. What the text spells out is read as what it binds: the code given to `%time` and
  `%timeit`, a top-level `exec("<constant code>")`, `globals()["soft" + "max"] = value`.
Each reason is a sentence for the student (`Reached.unverifiable`).
"""

from __future__ import annotations

import ast
import functools
from dataclasses import dataclass

from grader.check_tools.source_scan import bound_inside
from grader.i18n import _, current_language
from grader.submission.student_code import (
    SourceCell,
    attached_methods,
    definitions,
    parse_leniently,
    written_files,
)

DYNAMIC_NAMES = frozenset({
    "globals", "locals", "vars", "eval", "exec", "compile", "__import__", "builtins", "__builtins__",
    "importlib", "setattr", "delattr", "breakpoint", "get_ipython", "__main__", "attrgetter",
    "methodcaller"})
DYNAMIC_ATTRS = frozenset({
    "__dict__", "__globals__", "__builtins__", "__code__", "__closure__", "__getattribute__",
    "__setattr__", "__delattr__", "__subclasses__", "_getframe", "f_globals", "f_locals", "f_back",
    "user_ns", "user_global_ns", "attrgetter", "methodcaller", "modules", "meta_path", "settrace",
    "setprofile", "__reduce__", "__reduce_ex__"})
DYNAMIC_MODULES = frozenset({"importlib", "builtins", "ctypes", "gc", "inspect", "__main__", "comm",
                             "ipykernel", "IPython", "types", "operator", "pickle", "marshal", "dill"})
# Modules whose objects the static reading takes at their word: the course's libraries.
LIBRARIES = frozenset({"torch", "numpy", "math", "d2l", "random", "collections", "functools",
                       "itertools", "typing", "dataclasses", "matplotlib", "pandas", "time",
                       "sklearn", "torchvision", "scipy", "statistics", "__future__", "os",
                       "sys", "warnings", "copy", "abc", "enum", "pathlib", "IPython"})
HARMLESS_MAGICS = frozenset({"!", "matplotlib", "config", "precision", "pprint", "pinfo", "pinfo2", "pdef",
                             "pdoc", "psource", "psearch", "who", "who_ls", "whos", "lsmagic", "magic",
                             "quickref", "colors", "env", "set_env", "cd", "pwd", "history", "tb",
                             "writefile", "html", "javascript", "js", "latex", "markdown", "svg"})
CODE_MAGICS = frozenset({"time", "timeit", "prun", "capture"})  # their argument is notebook code
# "!": a shell command (`!pip install d2l`, `files = !ls`; at grading it is not run at all)


@dataclass(frozen=True)
class Reading:
    """A notebook's code as the static facts read it: one tree, and why no fact can be trusted."""

    cell: SourceCell
    unverifiable: tuple[str, ...]  # notebook-wide reasons
    patched: tuple[tuple[str, str], ...] = ()  # (attribute, reason): a library's attribute reassigned


@dataclass(frozen=True)
class Reached:
    """The graded definition of a name and the plain definitions it uses."""

    code: tuple[tuple[str, ast.AST], ...]  # (the name it is bound to, the code that binds it)
    imports: dict[str, str]  # a name the code uses bound by an import -> "module.name"
    unverifiable: tuple[str, ...]  # why the facts about this code cannot be decided (empty: they can)
    found: bool = True  # the notebook binds the graded name at all


def read_notebook(source: str) -> Reading:
    """The notebook's code (its code cells joined, as IPython runs them). Read once per notebook
    and language (its reasons are in the run's language): every static check of a submission
    asks for the same text, and readers never change the tree."""
    return _read(source, current_language())


@functools.lru_cache(maxsize=4)
def _read(source: str, language: str) -> Reading:
    tree = _inline_code_magics(parse_leniently(source))
    cell = SourceCell(0, 1, source, source, tree)
    reasons = _notebook_reasons(tree)
    return Reading(cell, tuple(dict.fromkeys(r for a, r in reasons if not a)),
                   tuple(dict.fromkeys((a, r) for a, r in reasons if a)))


def reached(reading: Reading, name: str) -> Reached:
    """`name`'s graded definition and the plain definitions it uses (see the module's docstring)."""
    cells = (reading.cell,)
    written = {path.rsplit("/", 1)[-1].removesuffix(".py") for path in written_files(cells)}
    top = {id(statement) for statement in reading.cell.tree.body}
    code: list[tuple[str, ast.AST]] = []
    imports: dict[str, str] = {}
    reasons: list[str] = list(reading.unverifiable)
    pending, seen = [name], set()
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        bindings = definitions(cells, current)
        # the last binding holds when it runs unconditionally at the top level; else any may
        chosen = bindings[-1:] if bindings and id(bindings[-1].node) in top else bindings
        for binding in chosen:
            if binding.kind == "import":
                origin = _imported(binding.node, current)
                if origin.split(".")[0] in written or origin.split(".")[0] not in LIBRARIES:
                    reasons.append(_("{current} comes from {origin}, whose code the grader does not read").format(current=current, origin=origin))
                imports[current] = origin
                continue
            found = [(current, binding.node)]
            if binding.kind == "class":
                found += [(current, method.node) for method in attached_methods(cells, current)]
            for owner, node in found:
                code.append((owner, node))
                reasons.extend(code_reasons(node, owner))
                own = bound_inside(node, definitions=True)
                pending.extend(n.id for n in ast.walk(node) if isinstance(n, ast.Name) and n.id not in own)
    mentioned = {n.attr for _, node in code for n in ast.walk(node) if isinstance(n, ast.Attribute)} | \
        {n.value for _, node in code for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    reasons += [reason for attribute, reason in reading.patched if attribute in mentioned]
    return Reached(tuple(code), imports, tuple(dict.fromkeys(reasons)), found=bool(code or imports))


def _imported(node: ast.Import | ast.ImportFrom, name: str) -> str:
    """"torch.nn.functional.softmax" for the alias `name` of an import statement."""
    for alias in node.names:
        if (alias.asname or alias.name.split(".")[0]) == name:
            if isinstance(node, ast.ImportFrom):
                return f"{'.' * node.level}{node.module or ''}.{alias.name}".lstrip(".")
            return alias.name if alias.asname else alias.name.split(".")[0]
    return name


def _dynamic(node: ast.AST) -> str:
    """What makes `node` a construct the static reading cannot follow, or ''."""
    if isinstance(node, ast.Name) and node.id in DYNAMIC_NAMES:
        return f"{node.id}"
    if isinstance(node, ast.Attribute) and node.attr in DYNAMIC_ATTRS:
        return f".{node.attr}"
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        modules = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
        for module in modules:
            if module.split(".")[0] in DYNAMIC_MODULES:
                return f"import {module}"
        if isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names):
            return f"from {node.module} import *"
    return ""


def code_reasons(node: ast.AST, owner: str) -> list[str]:
    """Why the code of `owner` cannot be read statically: dynamic constructs, a computed
    attribute name, a `global` declaration."""
    reasons = []
    for inner in ast.walk(node):
        what = _dynamic(inner)
        if what:
            reasons.append(_("{owner} uses {what}, which reaches names the grader cannot read").format(owner=owner, what=what))
        elif isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name) and \
                inner.func.id in ("getattr", "hasattr") and len(inner.args) >= 2 and \
                not (isinstance(inner.args[1], ast.Constant) and isinstance(inner.args[1].value, str)):
            reasons.append(_("{owner} uses {id} with a computed name").format(owner=owner, id=inner.func.id))
        elif isinstance(inner, (ast.Global, ast.Nonlocal)):
            reasons.append(_("{owner} declares {value} global, and can rebind it while it runs").format(owner=owner, value=', '.join(inner.names)))
    return reasons


def _notebook_reasons(tree: ast.Module) -> list[tuple[str, str]]:
    """(attribute, reason) for constructs anywhere in the notebook that can make a graded name,
    or a library function it calls, differ from what the text binds; the attribute is '' when
    the reason holds for every fact, else the facts of code that uses that attribute only."""
    imported = {alias.asname or alias.name.split(".")[0] for node in ast.walk(tree)
                if isinstance(node, (ast.Import, ast.ImportFrom)) for alias in node.names}
    own = {node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))}
    reasons = []
    for node in ast.walk(tree):
        what = _dynamic(node)
        if what:
            reasons.append(("", _("a cell of the notebook uses {what}, which can rebind names behind the notebook's text").format(what=what)))
        targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else \
            [node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign)) else []
        for target in targets:
            root = target
            while isinstance(root, (ast.Attribute, ast.Subscript)):
                root = root.value
            if isinstance(target, ast.Attribute) and not (isinstance(root, ast.Name) and root.id not in imported | own):
                where = root.id if isinstance(root, ast.Name) else "an object"
                reasons.append((target.attr, _("a cell of the notebook assigns {attr} of {where}, which changes code the grader reads").format(attr=target.attr, where=where)))
    return reasons


def _folded(node: ast.AST) -> str | None:
    """The string a constant expression makes ("soft" + "max"), else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _folded(node.left), _folded(node.right)
        return left + right if left is not None and right is not None else None
    return None


def _plain(statement: ast.stmt) -> list[ast.stmt] | None:
    """What a top-level `exec("<constant code>")` or `globals()["<constant name>"] = value`
    binds, as plain statements; None for any other statement."""
    if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
        call = statement.value
        if isinstance(call.func, ast.Name) and call.func.id == "exec" and len(call.args) == 1 and not call.keywords:
            text = _folded(call.args[0])
            inner = parse_leniently(text) if text is not None else None
            return inner.body if inner is not None else None
    if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
        target = statement.targets[0]
        if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Call) and \
                isinstance(target.value.func, ast.Name) and target.value.func.id == "globals" and \
                not target.value.args:
            name = _folded(target.slice)
            if name is not None and name.isidentifier():
                bound = ast.Assign(targets=[ast.Name(id=name, ctx=ast.Store())], value=statement.value)
                return [ast.copy_location(bound, statement)]
    return None


def _magic(statement: ast.stmt) -> tuple[str, str] | None:
    """(name, code or argument) of `get_ipython().run_line_magic(name, arg)` or
    `get_ipython().run_cell_magic(name, line, body)` with constant strings, else None."""
    call = statement.value if isinstance(statement, ast.Expr) else \
        statement.value if isinstance(statement, ast.Assign) else None
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
            and call.func.attr in ("run_line_magic", "run_cell_magic", "system", "getoutput")
            and isinstance(call.func.value, ast.Call) and isinstance(call.func.value.func, ast.Name)
            and call.func.value.func.id == "get_ipython"):
        return None
    texts = [a.value for a in call.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    if len(texts) != len(call.args) or not texts:
        return None
    return ("!", texts[0]) if call.func.attr in ("system", "getoutput") else (texts[0], texts[-1])


def _inline_code_magics(tree: ast.Module) -> ast.Module:
    """The tree with each harmless magic left out and the code a code magic runs (`%time x = f()`,
    `%%timeit` bodies) put in its place; any other magic stays a `get_ipython()` call, which makes
    the facts unverifiable."""
    body: list[ast.stmt] = []
    for statement in tree.body:
        magic = _magic(statement)
        if magic is not None and magic[0] in HARMLESS_MAGICS:  # a shell command binds no Python name
            if isinstance(statement, ast.Assign):  # but `files = !ls` binds its target
                body.append(ast.copy_location(ast.Assign(targets=statement.targets, value=ast.List(elts=[], ctx=ast.Load())), statement))
            continue
        if magic is not None and magic[0] in CODE_MAGICS:
            inner = parse_leniently(magic[1])
            body.extend(_inline_code_magics(inner).body)
            continue
        plain = _plain(statement)
        body.extend(_inline_code_magics(ast.Module(body=plain, type_ignores=[])).body if plain is not None else [statement])
    return ast.Module(body=body, type_ignores=[])
