"""Whether a model's `parameters()` gives its own parameter tensors themselves, decided from the
notebook's text in the grading process (`source_facts`): what the kernel says of it (the object
identity a helper there reports, a training run there) is the notebook's to forge.

Training "through its own parameters" rests on this fact: the grader's training loop updates
what `parameters()` gives, and the model computes with its attributes; when `parameters()` gives
copies, training moves nothing the model uses. Read conservatively, in plain and d2l style
(`@d2l.add_to_class(Model) def parameters(self): ...`):

- a `parameters` method of the class (or of a notebook class it derives from; the last one
  attached wins) holds when it is `return [self.W, self.b]` (a list or a tuple), `yield self.W`
  then `yield self.b`, or `yield from (self.W, self.b)`, in the contract's order;
- without one, a class on `nn.Module` (or d2l's `Module`, `Classifier`) holds with nn.Module's
  own `parameters()` when each parameter is assigned as `self.W = nn.Parameter(...)` and the
  class overrides none of the machinery that finds them (`named_parameters`, `__getattr__`,
  `__setattr__`, `_parameters`, ...);
- anything else is not shown, and earns nothing (`own_parameters` says why).
"""

from __future__ import annotations

import ast
from typing import Any

from grader.check_tools.source_facts import Reading, code_reasons, read_notebook
from grader.checking.verdicts import CheckFailed
from grader.i18n import _
from grader.submission.student_code import attached_methods, last_definition

MODULE_BASES = frozenset({"Module", "Classifier", "nn_Module"})  # nn.Module, d2l.Module, d2l.Classifier
MACHINERY = frozenset({"named_parameters", "__getattr__", "__setattr__", "__getattribute__", "_parameters",
                       "modules", "children", "named_modules", "named_children", "_named_members",
                       "register_parameter", "__init_subclass__", "__new__"})


def own_parameters(source: str, cls: str, names: list[str]) -> str:
    """'' when the notebook's text shows that `cls(...).parameters()` gives `names`' attributes
    themselves, in that order; else why not, in words for the student."""
    reading = read_notebook(source)
    methods = _methods(reading, cls, set())
    if methods is None:
        return _("{cls} is not a class statement of the notebook").format(cls=cls)
    # the class's own code (its body, its notebook bases, methods attached later) and the notebook's
    # constructs that can rebind anything; what its methods call is judged by their own checks
    classes = [d.node for name in _lineage(reading, cls, set()) for d in [last_definition((reading.cell,), name)]]
    reasons = [*reading.unverifiable, *(r for node in [*classes, *methods.values()] for r in code_reasons(node, cls))]
    if reasons:
        return _("the grader cannot read {cls} from the notebook's text: {reasons}").format(cls=cls, reasons=reasons[0])
    wanted = ", ".join(f"self.{name}" for name in names)
    if "parameters" in methods:
        found = _returned(methods["parameters"])
        if found == names:
            return ""
        said = (_("{cls}.parameters() should be `return [{wanted}]`: the grader reads it only in that form, "
                  "and reads {found}") if found else
                _("{cls}.parameters() should be `return [{wanted}]`: the grader reads it only in that form, "
                  "and cannot read what it returns"))
        return said.format(cls=cls, wanted=wanted, found=", ".join(found or []))
    if not _on_module(reading, cls, set()):
        return _("{cls} has no parameters() method: give it one that returns [{wanted}]").format(cls=cls, wanted=wanted)
    overridden = sorted(MACHINERY & methods.keys())
    if overridden:
        return _("{cls} overrides nn.Module's {overridden}, so the grader cannot read what parameters() "
                 "gives").format(cls=cls, overridden=overridden[0])
    assigned = _parameter_assignments(methods)
    missing = [name for name in names if name not in assigned]
    if missing:
        return (_("{cls}.parameters() is nn.Module's, which gives only nn.Parameter attributes: assign "
                  "self.{missing} = nn.Parameter(...), or define parameters() to return [{wanted}]").format(cls=cls, missing=missing[0], wanted=wanted))
    order = sorted(names, key=assigned.index)
    if order != names:
        return _("nn.Module's parameters() gives {value} in that order; {value2} is the contract's").format(value=', '.join(order), value2=', '.join(names))
    return ""


def _methods(reading: Reading, cls: str, seen: set[str]) -> dict[str, ast.AST] | None:
    """name -> def of the class's methods, its notebook bases' first (overridden by its own, then
    by those attached later); None when `cls` is not a class statement."""
    cells = (reading.cell,)
    binding = last_definition(cells, cls)
    if binding is None or binding.kind != "class" or cls in seen:
        return None
    seen.add(cls)
    node = binding.node
    methods: dict[str, ast.AST] = {}
    for base in reversed(node.bases):
        if isinstance(base, ast.Name):
            methods.update(_methods(reading, base.id, seen) or {})
    for statement in node.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            methods[statement.name] = statement
        elif isinstance(statement, (ast.Assign, ast.AnnAssign)):  # parameters = lambda self: ...
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            methods.update({t.id: statement for t in targets if isinstance(t, ast.Name)})
    methods.update({method.name: method.node for method in attached_methods(cells, cls)})
    return methods


def _lineage(reading: Reading, cls: str, seen: set[str]) -> list[str]:
    """`cls` and the notebook's own classes it derives from."""
    binding = last_definition((reading.cell,), cls)
    if binding is None or binding.kind != "class" or cls in seen:
        return []
    seen.add(cls)
    return [cls, *(name for base in binding.node.bases if isinstance(base, ast.Name)
                   for name in _lineage(reading, base.id, seen))]


def _on_module(reading: Reading, cls: str, seen: set[str]) -> bool:
    """`cls` derives from nn.Module (or d2l's Module or Classifier), directly or through the
    notebook's own classes."""
    binding = last_definition((reading.cell,), cls)
    if binding is None or binding.kind != "class" or cls in seen:
        return False
    seen.add(cls)
    for base in binding.node.bases:
        last = base.attr if isinstance(base, ast.Attribute) else base.id if isinstance(base, ast.Name) else ""
        if last in MODULE_BASES and (isinstance(base, ast.Attribute) or _imported(reading, last)):
            return True
        if isinstance(base, ast.Name) and _on_module(reading, base.id, seen):
            return True
    return False


def _imported(reading: Reading, name: str) -> bool:
    binding = last_definition((reading.cell,), name)
    return binding is not None and binding.kind == "import"


def _returned(method: ast.AST) -> list[str]:
    """The `self.<name>` attributes a parameters() method gives, in order, when it has one of the
    forms the module's docstring lists; [] otherwise."""
    if not isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef)) or not method.args.args:
        return []
    me = method.args.args[0].arg
    body = [s for s in method.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
    if len(body) == 1 and isinstance(body[0], ast.Return) and isinstance(body[0].value, (ast.List, ast.Tuple)):
        return _attributes(body[0].value.elts, me)
    if len(body) == 1 and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.YieldFrom) and \
            isinstance(body[0].value.value, (ast.List, ast.Tuple)):
        return _attributes(body[0].value.value.elts, me)
    if body and all(isinstance(s, ast.Expr) and isinstance(s.value, ast.Yield) for s in body):
        return _attributes([s.value.value for s in body], me)
    return []


def _attributes(values: list, me: str) -> list[str]:
    found = [v.attr for v in values if isinstance(v, ast.Attribute) and isinstance(v.value, ast.Name) and v.value.id == me]
    return found if len(found) == len(values) else []


def _parameter_assignments(methods: dict[str, ast.AST]) -> list[str]:
    """The attributes assigned `self.<name> = nn.Parameter(...)` in the class's methods, in order
    of `__init__` first."""
    found: list[str] = []
    ordered = [methods["__init__"]] if "__init__" in methods else []
    ordered += [m for n, m in methods.items() if n != "__init__"]
    for method in ordered:
        me = method.args.args[0].arg if isinstance(method, ast.FunctionDef) and method.args.args else "self"
        for node in ast.walk(method):
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
                called = node.value.func
                name = called.attr if isinstance(called, ast.Attribute) else getattr(called, "id", "")
                if name == "Parameter":
                    found += [t.attr for t in node.targets if isinstance(t, ast.Attribute)
                              and isinstance(t.value, ast.Name) and t.value.id == me and t.attr not in found]
    return found


def expect_own_parameters(student: Any, cls: str, names: list[str]) -> None:
    """The check fails, saying why, unless the notebook's text shows that `cls`'s parameters()
    gives `names`' attributes themselves (`own_parameters`): what training updates is what the
    model computes with."""
    why = own_parameters(student.source, cls, names)
    if why:
        raise CheckFailed(_("{why} (training updates what parameters() gives; the grader must see that it is "
                            "the model's own {names})").format(why=why, names=", ".join(names)))
