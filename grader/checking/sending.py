"""What a check may send into the student's kernel as code: the text of a self-contained function.

`student.define(function)` sends the function's own source (dedented), and the kernel executes
it in a private namespace that holds nothing of the checks file. So a function sent there must
be written with `def`, import what it needs inside its body, and use no global name of the checks
file and no variable of a function around it. A function of `grader.in_sandbox.helpers` is the
exception: that module is written to run in the kernel, and its whole text is sent, so its
functions may call each other and share its imports.

Breaking the rule is the check author's mistake, reported as an `AuthoringError` that names the
checks file and line before anything is sent (instead of a NameError in the kernel that would
read as the student's).
"""

from __future__ import annotations

import builtins
import dis
import inspect
import textwrap
import traceback
import types
from pathlib import Path
from typing import Callable

from grader.errors import AuthoringError

SENT_WHOLE = "grader.in_sandbox.helpers"  # the module whose functions are sent with its whole text
GRADER_FOLDER = Path(__file__).resolve().parents[1]


def source_to_send(function: Callable) -> tuple[str, str]:
    """(source, name): the text the kernel executes, and the name to take from it."""
    if not inspect.isfunction(function) or function.__name__ == "<lambda>":
        raise AuthoringError(*calling_check_line(), f"{function!r} is not a function written with def; "
                          "only those can be sent into the kernel")
    code = function.__code__
    where = (Path(code.co_filename).name, code.co_firstlineno)
    name = function.__name__
    module = inspect.getmodule(function)
    try:
        if module is not None and module.__name__ == SENT_WHOLE:
            return inspect.getsource(module), name
        source = textwrap.dedent(inspect.getsource(function))
    except (OSError, TypeError) as error:
        raise AuthoringError(*where, f"the source of {name} cannot be read ({error})") from None
    if code.co_freevars:
        raise AuthoringError(*where, f"{name} uses {', '.join(code.co_freevars)} from the function around it; "
                          "a function sent into the kernel must be self-contained")
    outside = sorted(_globals_used(code) - set(dir(builtins)))
    if outside:
        raise AuthoringError(*where, f"{name} uses {', '.join(outside)} of the checks file, which the kernel "
                          "does not have; import or define it inside the function")
    return source, name


def _globals_used(code: types.CodeType) -> set[str]:
    """Global names the code reads, its nested functions and comprehensions included."""
    names = {instruction.argval for instruction in dis.get_instructions(code)
             if instruction.opname == "LOAD_GLOBAL"}
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            names |= _globals_used(constant)
    return names


def calling_check_line() -> tuple[str, int]:
    """The file name and line of the innermost caller outside the grader: the check's own line."""
    for frame in reversed(traceback.extract_stack()):
        if GRADER_FOLDER not in Path(frame.filename).resolve().parents:
            return Path(frame.filename).name, frame.lineno or 0
    return "the checks", 0
