"""What a check may send into the student's kernel as code: the text of a self-contained function.

`student.define(function)` sends the function's own source (dedented), and the kernel executes
it in a private namespace that holds nothing of the checks file. So a function sent there must
be written with `def`, import what it needs inside its body, and use no global name of the checks
file and no variable of a function around it. A function of a module written to run in the
kernel is the exception: the engine's `grader.in_sandbox.helpers`, or a course's own module that
says so with `SENT_WHOLE = True` (course/lib/d2l_course/in_kernel.py). Its whole text is sent, so
its functions (and classes) may call each other and share its imports; a course's module may
import from the engine's helpers (`from grader.in_sandbox.helpers import train_classifier`): the
kernel cannot import the grader, so that module's text is sent first and the import left out.

Breaking the rule is the check author's mistake, reported as an `AuthoringError` that names the
checks file and line before anything is sent (instead of a NameError in the kernel that would
read as the student's).
"""

from __future__ import annotations

import ast
import builtins
import dis
import inspect
import sys
import textwrap
import traceback
import types
from pathlib import Path
from typing import Callable

from grader.errors import AuthoringError

ENGINE_HELPERS = "grader.in_sandbox.helpers"  # the engine's module written to run in the kernel
GRADER_FOLDER = Path(__file__).resolve().parents[1]


def source_to_send(function: Callable) -> tuple[str, str]:
    """(source, name): the text the kernel executes, and the name to take from it."""
    module = inspect.getmodule(function)
    if module is not None and sent_whole(module) and (inspect.isfunction(function) or inspect.isclass(function)):
        return module_text(module), function.__name__
    if not inspect.isfunction(function) or function.__name__ == "<lambda>":
        raise AuthoringError(*calling_check_line(), f"{function!r} is not a function written with def; "
                          "only those can be sent into the kernel")
    code = function.__code__
    where = (Path(code.co_filename).name, code.co_firstlineno)
    name = function.__name__
    try:
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


def sent_whole(module: types.ModuleType) -> bool:
    """Whether a module's functions are sent with its whole text."""
    return module.__name__ == ENGINE_HELPERS or getattr(module, "SENT_WHOLE", False) is True


def module_text(module: types.ModuleType) -> str:
    """The text a module sent whole runs as in the kernel: its own; for a course's module, the
    engine helpers' text first and the course's imports from them blanked (line numbers kept)."""
    where = (Path(module.__file__ or module.__name__).name, 0)
    try:
        text = inspect.getsource(module)
    except (OSError, TypeError) as error:
        raise AuthoringError(*where, f"its source cannot be read ({error})") from None
    if module.__name__ == ENGINE_HELPERS:
        return text
    lines = text.splitlines(keepends=True)
    for node in ast.parse(text).body:
        if isinstance(node, ast.ImportFrom) and node.module == ENGINE_HELPERS:
            if any(alias.asname for alias in node.names):
                raise AuthoringError(where[0], node.lineno, f"import from {ENGINE_HELPERS} without 'as': "
                                     "in the kernel its names are the module's own")
            lines[node.lineno - 1:node.end_lineno] = ["\n"] * (node.end_lineno - node.lineno + 1)
    engine = inspect.getsource(sys.modules[ENGINE_HELPERS])
    return f"{engine}\n\n# -- {module.__name__} --\n{''.join(lines)}"


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
