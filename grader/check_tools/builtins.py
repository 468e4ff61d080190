"""Finding a forbidden built-in in a student's function however it is reached.

Two signals, judged here on plain strings that came back from the kernel:

- the source the kernel actually holds under the graded name (`source_of`, through
  `inspect.getsource`), scanned statically (`source_scan`) together with the notebook's own
  functions it refers to; where the kernel has no source (a function made by `exec`) the
  notebook's text is scanned instead;
- what the function does when it runs (`torch_calls`): the name of every torch function,
  method or module it calls, seen through torch's public `__torch_function__` modes, and the
  autograd nodes behind its result (`SoftmaxBackward0`, `NllLossBackward0`, `ReluBackward0`…).
  These do not depend on names: `getattr(torch, "xamtfos"[::-1])`, `exec`, `globals()[...]`,
  a dict of aliases are all seen.

The limits: code that switches torch's function modes off with a private API and computes the
built-in under `torch.no_grad()` escapes the run-time signals; only the inputs the check gives
are run.
"""

from __future__ import annotations

from typing import Any

from grader.check_tools.source_scan import forbidden_uses
from grader.checking.verdicts import CheckFailed
from grader.i18n import _
from grader.in_sandbox.helpers import source_of, torch_calls

PREFIXES = ("special_", "linalg_", "_")


def _forbidden_name(name: str, forbidden: set[str]) -> bool:
    last = name.rsplit(".", 1)[-1]
    return last in forbidden or any(last.removeprefix(p) in forbidden for p in PREFIXES if last.startswith(p))


def builtin_uses(student: Any, function: str, forbidden: set[str], args: list, *,
                 nodes: set[str] = frozenset(), wrap: Any = None) -> list[str]:
    """How the student's `function` uses any API in `forbidden` (last components: "softmax"), or
    an autograd node in `nodes`, each said in words; [] when it uses none. `function(*args)`
    is called in the kernel (through `wrap(callable, *args)` when given, e.g. the grader's relu
    bound for the call)."""
    found: list[str] = []
    held = student.define(source_of)(getattr(student, function))
    if held["module"].split(".")[0] == "torch" and _forbidden_name(held["name"], forbidden):
        found.append(_("{function} is torch's {name}").format(function=function, name=held["name"]))
    if held["source"]:
        root = held["name"] if held["name"].isidentifier() else function
        text = "\n\n".join([*(s for s in held["helpers"].values() if s), held["source"]])
        uses = forbidden_uses(text, root, forbidden)
    else:
        uses = forbidden_uses(student.source, function, forbidden)
    found += [_("{name} (in {function})").format(name=use.name, function=use.function) for use in uses]
    found += [_("{value} (through the name {name})").format(value=value, name=name) for name, value in held["refers"].items()
              if _forbidden_name(value, forbidden)]
    calls = student.define(torch_calls)
    report = wrap(calls, getattr(student, function), *args) if wrap is not None else \
        calls(getattr(student, function), *args)
    found += [_("a call of {name} when it runs").format(name=name) for name in report["calls"]
              if _forbidden_name(name, forbidden)]
    found += [_("{node} in the autograd history of its result").format(node=node) for node in report["history"]
              if node in nodes]
    return list(dict.fromkeys(found))


def expect_no_builtin(student: Any, function: str, forbidden: set[str], args: list, *, advice: str,
                      nodes: set[str] = frozenset(), wrap: Any = None) -> None:
    """The check fails, naming the first use found, when `builtin_uses` finds any."""
    found = builtin_uses(student, function, forbidden, args, nodes=nodes, wrap=wrap)
    if found:
        raise CheckFailed(_("{function} uses {use}; {advice}").format(function=function, use=found[0],
                                                                     advice=_(advice)))


def autograd_uses(student: Any, function: str, args: list, *, wrap: Any = None) -> list[str]:
    """How the student's `function` computes with autograd (backward, torch.autograd.grad) when
    called on `args`, whose tensors do not require grad; [] when it does not."""
    calls = student.define(torch_calls)
    report = wrap(calls, getattr(student, function), *args) if wrap is not None else \
        calls(getattr(student, function), *args)
    found = [_("a call of {name} when it runs").format(name=name) for name in report["calls"]
             if name in ("backward", "grad", "vjp", "jvp", "jacobian", "hessian")]
    if report["graph_in_result"]:
        found.append(_("a result that carries an autograd history"))
    if report["inputs_touched"]:
        found.append(_("a .grad or requires_grad set on an input"))
    return found
