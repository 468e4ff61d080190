"""Everything that runs inside the student's sandbox, as real files.

The sandbox hides the grader's sources, so these files reach it as text: `python -c <text>` for
the kernel's boot (`boot.py`) and the warm kernels' fork server (`fork_server.py`), and one
silent cell for the responder (`responder.py`, with the wire codec `wire.py`). A file that needs
another of this folder imports it relatively (`from .limits import apply_limits`, inside
`try: ... except ImportError`); `program` sends those files' text first, so the names are already
defined when the file runs as a program. `helpers.py` holds functions checks send with
`student.define`.

Nothing here imports the grader (tests/in_sandbox/test_sandbox_files.py keeps it so), and
importing any of these files does nothing but define names.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

HERE = Path(__file__).resolve().parent


def source(name: str) -> str:
    """The text of one file of this folder, e.g. `source("boot.py")`."""
    return (HERE / name).read_text()


@functools.lru_cache(maxsize=None)  # the package's files: read once per process
def program(name: str) -> str:
    """The text that runs `name` as a program in the sandbox (`python -c`, or one cell): the
    files it imports from this folder, each once, in the order they are imported, then its own."""
    return "\n".join(source(file) for file in _with_imports(name, []))


def _with_imports(name: str, found: list[str]) -> list[str]:
    for node in ast.walk(ast.parse(source(name))):
        if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module:
            needed = node.module + ".py"
            if needed not in found:
                _with_imports(needed, found)
    found.append(name)
    return found


def responder_bootstrap() -> str:
    """One statement, run silently in a fresh kernel before the notebook, that installs the
    responder: wire.py's and responder.py's text run as `__main__` of a namespace of their own,
    so the student's namespace gains no name."""
    return (f"exec(compile({program('responder.py')!r}, '<grader-responder>', 'exec'), "
            "{'__name__': '__main__'})")


def gpu_on_cpu_bootstrap() -> str:
    """One statement, run silently in a fresh kernel before a notebook that mentions the GPU,
    that serves its GPU requests on the CPU (`gpu_on_cpu.py`, as `__main__` of its own namespace)."""
    return (f"exec(compile({program('gpu_on_cpu.py')!r}, '<grader-gpu-on-cpu>', 'exec'), "
            "{'__name__': '__main__'})")
