"""A student kit's checks file: the course's checks file without what a student must not hold.

Each hidden check becomes a stub holding only its points (no code, no inputs, a generic name);
each known mistake (`@mistake`) a stub without its code (the kit holds its recorded answers). A
public check that needs what a kit cannot hold keeps its name, becomes a stub too, and is
graded by the instructor (its points count with the hidden ones): one that reads validation
labels, one that asks for a fixture of the course (`image_data`), one that uses, directly or
through the file's own helpers, a name imported from the course's own modules (its `[checks]
path`: the course's reference helpers and models, never in a kit). Those imports and helpers
are left out of the kit's file, so it imports nothing but the engine and libraries.
"""

from __future__ import annotations

import ast
import importlib
import sys
from dataclasses import dataclass
from pathlib import Path

from grader.errors import AuthoringError

VALIDATION_NAMES = {"val_X", "val_y"}  # image_data's validation split: never in a kit
ENGINE_FIXTURES = {"student", "reference", "data_dir"}  # what the grader gives every check
INSTRUCTOR_GRADED = " (graded by your instructor)"  # a public check the kit cannot judge
INSTRUCTOR_BODY = ('    raise NotInKit("your instructor\'s grader runs this check: it needs data the '
                   'student kit does not hold")\n')
STUB_BODY = ('    raise NotInKit("your instructor\'s grader runs this check: it is not in the '
             'student kit")\n')


@dataclass(frozen=True)
class CourseModules:
    """The course's own helper modules (`[checks] path`), by their top-level names."""
    folders: tuple[Path, ...] = ()

    @property
    def names(self) -> set[str]:
        found = set()
        for folder in self.folders:
            found |= {p.stem for p in folder.glob("*.py")} | {p.parent.name for p in folder.glob("*/__init__.py")}
        return found

    def plain_value(self, module: str, name: str) -> str | None:
        """The text of `module.name` where it is plain data (a tuple of names, a number): the
        kit writes it in; None for code (a function, a class, a model)."""
        added = [str(folder) for folder in self.folders if str(folder) not in sys.path]
        sys.path[:0] = added
        try:
            value = getattr(importlib.import_module(module), name)
        except Exception:  # noqa: BLE001 - a module that does not import here: its names are code
            return None
        finally:
            for folder in added:
                sys.path.remove(folder)
        text = repr(value)
        try:
            return text if ast.literal_eval(text) == value else None
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            return None


def course_modules(folders: tuple[Path, ...]) -> CourseModules:
    return CourseModules(tuple(folders))


def _course_imports(tree: ast.Module, modules: CourseModules) -> tuple[list[ast.stmt], set[str], dict[str, str]]:
    """The top-level imports from the course's modules, the names they bind to code, and those
    bound to plain data (name -> its text, written into the kit)."""
    found, names, plain = [], set(), {}
    top = modules.names
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] in top:
            found.append(node)
            for alias in node.names:
                value = modules.plain_value(node.module, alias.name)
                if value is None:
                    names.add(alias.asname or alias.name)
                else:
                    plain[alias.asname or alias.name] = value
        elif isinstance(node, ast.Import) and any(a.name.split(".")[0] in top for a in node.names):
            found.append(node)
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
    return found, names, plain


def _bound(node: ast.stmt) -> set[str]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}


def _uses(node: ast.AST, names: set[str]) -> bool:
    return any(isinstance(n, ast.Name) and n.id in names for n in ast.walk(node))


def _tainted(tree: ast.Module, course_names: set[str], imports: list[ast.stmt]) -> tuple[set[str], list[ast.stmt]]:
    """The names that need the course's modules (directly or through the file's own helpers),
    and the top-level statements (not checks) that define them."""
    names, statements = set(course_names), list(imports)
    changed = True
    while changed:
        changed = False
        for node in tree.body:
            if node in statements or _marker_call(node) is not None or not _uses(node, names):
                continue
            statements.append(node)
            names |= _bound(node)
            changed = True
    return names, statements


def public_checks(checks: Path, keep_mistakes: bool = False,
                  modules: CourseModules = CourseModules()) -> tuple[str, float, list[str]]:
    """The kit's checks file (see the module's docstring): `modules` are the course's own
    modules; the known mistakes keep their code with `keep_mistakes` (the kit's answers are
    recorded with it). Returns the text, the stubs' points and the names of the public checks
    turned into stubs (graded by the instructor)."""
    text = checks.read_text(encoding="utf-8")
    tree = ast.parse(text)
    lines = text.splitlines(keepends=True)
    imports, course_names, plain = _course_imports(tree, modules)
    tainted, left_out = _tainted(tree, course_names, imports)
    replaced: list[tuple[int, int, str]] = [(_start(node), node.end_lineno, "") for node in left_out]
    _write_in(lines, tree, plain)
    stub_points, instructor_only, count = 0.0, [], 0
    for node in tree.body:
        spec = _marker(node, checks)
        if spec is None:
            continue
        if not spec["hidden"] and not _needs_the_course(node, tainted):
            continue
        count += 1
        if not spec["hidden"]:
            instructor_only.append(spec["name"])
        stub_points += 0.0 if spec["condition"] else spec["points"]
        replaced.append((_start(node), node.end_lineno, _stub(spec, count)))
    for node in tree.body if not keep_mistakes else []:  # known mistakes: one edit from the solution
        if node not in left_out and isinstance(node, ast.FunctionDef) and \
                any(ast.unparse(d) == "mistake" for d in node.decorator_list):
            replaced.append((_start(node), node.end_lineno, _mistake_stub(node)))
    replaced.sort()
    for start, end, stub in reversed(replaced):
        lines[start - 1:end] = [stub]
    after = tree.body[0].end_lineno if tree.body and isinstance(tree.body[0], ast.Expr) else 0
    lines.insert(after, "\nfrom grader.checking.recorded import NotInKit  # the stubs of hidden checks\n")
    return "".join(lines), stub_points, instructor_only


def _write_in(lines: list[str], tree: ast.Module, plain: dict[str, str]) -> None:
    """Each use of a course's plain value (a tuple of parameter names) replaced by its text."""
    uses = sorted(((n.lineno, n.col_offset, n.end_col_offset, n.id) for n in ast.walk(tree)
                   if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and n.id in plain
                   and n.lineno == n.end_lineno), reverse=True)
    for lineno, start, end, name in uses:  # columns are UTF-8 byte offsets
        raw = lines[lineno - 1].encode("utf-8")
        lines[lineno - 1] = (raw[:start] + plain[name].encode("utf-8") + raw[end:]).decode("utf-8")


def _start(node: ast.stmt) -> int:
    decorators = getattr(node, "decorator_list", [])
    return min([node.lineno, *(d.lineno for d in decorators)])


def _needs_the_course(node: ast.FunctionDef, tainted: set[str]) -> bool:
    """Whether a public check needs what a kit cannot hold (see the module's docstring)."""
    reads_validation = any(isinstance(n, ast.Attribute) and n.attr in VALIDATION_NAMES for n in ast.walk(node))
    fixtures = {a.arg for a in node.args.args} - ENGINE_FIXTURES
    return reads_validation or bool(fixtures) or _uses(node, tainted)


def _marker_call(node: ast.stmt) -> ast.Call | None:
    for decorator in getattr(node, "decorator_list", []):
        if isinstance(decorator, ast.Call) and ast.unparse(decorator.func) == "pytest.mark.check":
            return decorator
    return None


def checked_functions(text: str, checks: Path) -> list[str]:
    """The graded names a checks file's checks are about (each check's name up to its colon),
    in the file's order: `check("softmax")` in a notebook finds its kit by them."""
    specs = [_marker(node, checks) for node in ast.parse(text).body]
    return list(dict.fromkeys(spec["name"].split(":")[0].strip() for spec in specs if spec))


def _marker(node: ast.stmt, checks: Path) -> dict | None:
    """The arguments of a function's `@pytest.mark.check(...)`, or None when it has none."""
    if not isinstance(node, ast.FunctionDef):
        return None
    for decorator in node.decorator_list:
        if isinstance(decorator, ast.Call) and ast.unparse(decorator.func) == "pytest.mark.check":
            try:
                args = [ast.literal_eval(a) for a in decorator.args]
                kwargs = {k.arg: ast.literal_eval(k.value) for k in decorator.keywords}
            except ValueError:
                raise AuthoringError(checks.name, decorator.lineno, "a kit needs the marker's "
                                     "arguments written as plain values") from None
            name = kwargs.get("name", args[0] if args else node.name)
            return {"name": str(name), "points": float(kwargs.get("points", 1)),
                    "hidden": bool(kwargs.get("hidden", False)),
                    "condition": bool(kwargs.get("condition", False))}
    return None


def _mistake_stub(node: ast.FunctionDef) -> str:
    """A known mistake without its code: in a kit its answers come from the recording."""
    return (f"@mistake\ndef {node.name}({ast.unparse(node.args)}):\n"
            '    raise NotInKit("a known mistake: the kit holds its answers, not its code")\n')


def _stub(spec: dict, count: int) -> str:
    """A hidden check: its points under a generic name. A public check that needs what a kit
    cannot hold keeps its name (students know it), marked as graded by the instructor."""
    function = spec["name"].split(":")[0].strip()
    extra = ", condition=True" if spec["condition"] else f", points={spec['points']:g}"
    if not spec["hidden"]:
        return (f"@pytest.mark.check({spec['name'] + INSTRUCTOR_GRADED!r}{extra}, hidden=True)\n"
                f"def test_graded_by_instructor_{count}():\n{INSTRUCTOR_BODY}")
    return (f'@pytest.mark.check("{function}: hidden check {count}"{extra}, hidden=True)\n'
            f"def test_hidden_{count}():\n{STUB_BODY}")
