"""The check every function of an assignment gets: "leaves its input unchanged".

`expect_inputs_unchanged(student, "softmax", [X], names=["X"], call="softmax(X)")` calls the
student's function in the kernel on copies it keeps (`call_with_copies`) and fails, naming the
input, when an argument afterwards differs from its copy from before (`expect_unchanged`). A
checks file states what it asks; the inputs are drawn by the check, before the call, so its
random draws stay where they were.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from grader.check_tools.expect import expect_unchanged
from grader.checking.sending import calling_check_line
from grader.errors import AuthoringError
from grader.in_sandbox.helpers import call_with_copies


def expect_inputs_unchanged(student: Any, function: str, args: list, *, names: Sequence[str],
                            call: str, wrap: Any = None) -> None:
    """`function(*args)` in the kernel leaves `args[i]` as it was, for each `names[i]` (the
    name the message gives that input; arguments past `names`, a number say, are not
    compared). `wrap(copies, function, args)`, when given, makes the call (a course's helper
    that binds its own versions of the names the function uses, e.g. `with_grader_relu`)."""
    if len(names) > len(args):
        raise AuthoringError(*calling_check_line(), f"expect_inputs_unchanged({function!r}): "
                             f"{len(names)} names for {len(args)} arguments")
    copies = student.define(call_with_copies)
    target = getattr(student, function)
    before, after = wrap(copies, target, args) if wrap is not None else copies(target, args)
    for i, name in enumerate(names):
        expect_unchanged(before[i], after[i], call=call, what=name)
