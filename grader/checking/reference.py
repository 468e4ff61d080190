"""The reference: the solution notebook's `setup` and `graded` cells, run in this process.

Checks compare students' answers to these functions. They come from `solutions/` (there is no
second copy) and are loaded once per process and solution file. A solution that cannot be read
or whose cells raise is the instructor's mistake: an `AuthoringError` naming the cell and line.
"""

from __future__ import annotations

import functools
import traceback
import types
from pathlib import Path

import nbformat

from grader.errors import AuthoringError
from grader.submission.notebook import set_aside_unrunnable

REFERENCE_TAGS = {"setup", "graded"}


def load_reference(solution: Path) -> types.ModuleType:
    if solution.suffix == ".json":  # a student kit's recorded answers (`grader.checking.recorded`)
        from grader.checking.recorded import load_recorded

        return load_recorded(solution)  # type: ignore[return-value]
    try:
        changed = solution.stat().st_mtime_ns
    except OSError as error:
        raise AuthoringError(solution.name, 0, f"cannot read the solution: {error.strerror or error}") from None
    return _load(solution.resolve(), changed)


@functools.lru_cache(maxsize=16)
def _load(solution: Path, _mtime: int) -> types.ModuleType:
    notebook = _read(solution)
    set_aside_unrunnable(notebook)
    module = types.ModuleType(f"reference_{solution.stem}")
    module.__file__ = str(solution)
    module.__source__ = "\n\n".join(cell.source for cell in notebook.cells if cell.cell_type == "code"
                                    and REFERENCE_TAGS & set(cell.metadata.get("tags", [])))  # its text: static facts
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code" and REFERENCE_TAGS & set(cell.metadata.get("tags", [])):
            filename = f"{solution.name}:cell{index}"
            try:  # the instructor's own solution
                exec(compile(cell.source, filename, "exec"), module.__dict__)  # noqa: S102
            except Exception as error:  # noqa: BLE001 - any failure of the solution's own code
                raise _cell_error(solution, index, filename, error) from None
    return module


def _read(solution: Path) -> nbformat.NotebookNode:
    try:
        return nbformat.reads(solution.read_text(encoding="utf-8"), as_version=4)
    except OSError as error:
        raise AuthoringError(solution.name, 0, f"cannot read the solution: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise AuthoringError(solution.name, 0, "the solution is not UTF-8 text") from None
    except nbformat.reader.NotJSONError:
        raise AuthoringError(solution.name, 0, "the solution is not valid JSON") from None
    except (KeyError, ValueError, TypeError, AttributeError) as error:  # nbformat's, for JSON not a notebook
        raise AuthoringError(solution.name, 0, f"the solution is not a notebook: {error}") from None


def _cell_error(solution: Path, index: int, filename: str, error: Exception) -> AuthoringError:
    """The error of a setup or graded cell, at its line within the cell."""
    if isinstance(error, SyntaxError):
        return AuthoringError(solution.name, error.lineno or 0, f"cell {index}: invalid Python: {error.msg}")
    lines = [frame.lineno or 0 for frame in traceback.extract_tb(error.__traceback__) if frame.filename == filename]
    text = str(error).strip().splitlines()[0] if str(error).strip() else "no message"
    return AuthoringError(solution.name, lines[-1] if lines else 0,
                          f"cell {index} raised {type(error).__name__}: {text}")
