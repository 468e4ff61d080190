"""Finding a forbidden built-in in a student's function however it is reached.

Whether a function uses no built-in is decided from the notebook's own text, in the grading
process (`source_facts`): the graded definition and the plain definitions it uses, read
statically. A use found there fails the check; so does text the static reading cannot follow
(`exec`, `globals()`, a computed `getattr`, ...): a fact that cannot be decided earns nothing,
and the message says why.

What the function does when it runs (`torch_calls`, in the kernel) is a second signal that can
only find more: the name of every torch function, method or module it calls, seen through
torch's public `__torch_function__` modes, and the autograd nodes behind its result
(`SoftmaxBackward0`, `NllLossBackward0`, `ReluBackward0`…). The kernel's word never clears a
function: the notebook can replace any code there.
"""

from __future__ import annotations

import ast
from typing import Any

from grader.check_tools.source_facts import read_notebook, reached
from grader.check_tools.source_scan import forbidden_uses
from grader.checking.verdicts import CheckFailed
from grader.i18n import _
from grader.in_sandbox.helpers import torch_calls
from grader.submission.student_code import unparse

PREFIXES = ("special_", "linalg_", "_")


def _forbidden_name(name: str, forbidden: set[str]) -> bool:
    last = name.rsplit(".", 1)[-1]
    return last in forbidden or any(last.removeprefix(p) in forbidden for p in PREFIXES if last.startswith(p))


def static_builtin_uses(source: str, function: str, forbidden: set[str]) -> tuple[list[str], str]:
    """(uses, unverifiable): the uses of an API in `forbidden` that the notebook's text shows in
    `function` and the plain definitions it uses, each said in words; and why the text cannot
    show that there is none ('' when it can: `source_facts`)."""
    reading = read_notebook(source)
    code = reached(reading, function)
    found = [_("{origin} (imported as {name})").format(origin=origin, name=name) for name, origin in code.imports.items()
             if _forbidden_name(origin, forbidden)]
    for owner, node in code.code:
        for inner in ast.walk(node):
            if isinstance(inner, ast.Attribute) and _forbidden_name(inner.attr, forbidden):
                found.append(_("{name} (in {function})").format(name=unparse(inner) or inner.attr, function=owner))
            elif isinstance(inner, ast.Constant) and isinstance(inner.value, str) and \
                    _forbidden_name(inner.value, forbidden):
                found.append(_("{name} (in {function})").format(name=repr(inner.value), function=owner))
    found += [f"{use.name} (in {use.function})" for use in forbidden_uses(source, function, forbidden)]
    if not code.found:
        return found, _("the notebook's text does not define {function} (with a def, a class or an "
                        "assignment in a code cell)").format(function=function)
    return list(dict.fromkeys(found)), code.unverifiable[0] if code.unverifiable else ""


def builtin_uses(student: Any, function: str, forbidden: set[str], args: list, *,
                 nodes: set[str] = frozenset(), wrap: Any = None) -> list[str]:
    """How the student's `function` uses any API in `forbidden` (last components: "softmax"), or
    an autograd node in `nodes`, each said in words; [] when it uses none. `function(*args)` is
    also called in the kernel (through `wrap(callable, *args)` when given, e.g. the grader's
    relu bound for the call), where what it calls can only add to what is found. When nothing
    is found and the notebook's text cannot show that there is nothing, the check fails
    (`CheckFailed`) saying why: a fact that cannot be decided earns nothing."""
    found, unverifiable = static_builtin_uses(student.source, function, forbidden)
    calls = student.define(torch_calls)
    report = wrap(calls, getattr(student, function), *args) if wrap is not None else \
        calls(getattr(student, function), *args)
    found += [_("a call of {name} when it runs").format(name=name) for name in _strings(report, "calls") if _forbidden_name(name, forbidden)]
    found += [_("{node} in the autograd history of its result").format(node=node) for node in _strings(report, "history") if node in nodes]
    if unverifiable and not found:
        raise CheckFailed(_("the grader cannot tell from your notebook's text what {function} uses: "
                            "{why}. Write {function} and what it calls as plain code (no exec, "
                            "globals() or names computed at run time)").format(function=function, why=unverifiable))
    return list(dict.fromkeys(found))


def _strings(report: Any, key: str) -> list[str]:
    """`report[key]`'s strings: what the kernel sent, whatever its shape (nothing, when none)."""
    values = report.get(key) if isinstance(report, dict) else None
    return [value for value in values if isinstance(value, str)] if isinstance(values, (list, tuple)) else []


def expect_no_builtin(student: Any, function: str, forbidden: set[str], args: list, *, advice: str,
                      nodes: set[str] = frozenset(), wrap: Any = None) -> None:
    """The check fails, naming the first use found, when `builtin_uses` finds any (or cannot
    tell: then the message says why)."""
    try:
        found = builtin_uses(student, function, forbidden, args, nodes=nodes, wrap=wrap)
    except CheckFailed as unverifiable:
        raise CheckFailed(f"{unverifiable}; {_(advice)}") from None
    if found:
        raise CheckFailed(_("{function} uses {use}; {advice}").format(function=function, use=found[0],
                                                                     advice=_(advice)))


def autograd_uses(student: Any, function: str, args: list, *, wrap: Any = None) -> list[str]:
    """How the student's `function` computes with autograd (backward, torch.autograd.grad) when
    called on `args`, whose tensors do not require grad; [] when it does not."""
    calls = student.define(torch_calls)
    report = wrap(calls, getattr(student, function), *args) if wrap is not None else \
        calls(getattr(student, function), *args)
    found = [_("a call of {name} when it runs").format(name=name) for name in _strings(report, "calls")
             if name in ("backward", "grad", "vjp", "jvp", "jacobian", "hessian")]
    if not isinstance(report, dict) or report.get("graph_in_result") is not False:
        found.append(_("a result that carries an autograd history"))
    if not isinstance(report, dict) or report.get("inputs_touched") is not False:
        found.append(_("a .grad or requires_grad set on an input"))
    return found
