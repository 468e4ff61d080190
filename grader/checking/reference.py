"""The reference: the solution notebook's `setup` and `graded` cells, run in this process.

Checks compare students' answers to these functions. They come from `solutions/` (there is no
second copy) and are loaded once per process and solution file.
"""

from __future__ import annotations

import functools
import types
from pathlib import Path

import nbformat

from grader.submission.notebook import strip_shell_escapes

REFERENCE_TAGS = {"setup", "graded"}


def load_reference(solution: Path) -> types.ModuleType:
    return _load(solution.resolve(), solution.stat().st_mtime_ns)


@functools.lru_cache(maxsize=16)
def _load(solution: Path, _mtime: int) -> types.ModuleType:
    notebook = nbformat.read(solution, as_version=4)
    strip_shell_escapes(notebook)
    module = types.ModuleType(f"reference_{solution.stem}")
    module.__file__ = str(solution)
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code" and REFERENCE_TAGS & set(cell.metadata.get("tags", [])):
            code = compile(cell.source, f"{solution.name}:cell{index}", "exec")
            exec(code, module.__dict__)  # noqa: S102 - the instructor's own solution
    return module
