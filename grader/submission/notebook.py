"""Reading a submitted notebook: validation, and the code the kernel will actually run.

The file on disk is only ever read. What cannot run at grading (shell escapes `!cmd`, `%pip`,
`%%bash`, …: `grader.submission.ipython_syntax`, which reads cells with IPython's own transformers)
is left out of the in-memory copy the kernel runs, and listed, one line per cell, for the report.
"""

from __future__ import annotations

import json
import re
import warnings
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import nbformat

from grader.errors import NotANotebook, NotebookNotFound, NotebookTooOld, NotebookUnreadable
from grader.i18n import _
from grader.submission.course import declared_assignment
from grader.submission.ipython_syntax import for_grading, not_run_note
from grader.submission.student_code import SourceCell, code_cells

GPU_WORDS = re.compile(r"cuda|gpu", re.IGNORECASE)


@dataclass(frozen=True)
class Submission:
    path: Path
    notebook: nbformat.NotebookNode  # the runnable copy: what cannot run at grading left out
    skipped_lines: tuple[str, ...]  # one line per cell with parts left out ("code cell 1: …")

    @property
    def declared_assignment(self) -> str | None:
        """The assignment the notebook's metadata says it is for, if any."""
        return declared_assignment(self.notebook.metadata)

    @cached_property
    def code_cells(self) -> tuple[SourceCell, ...]:
        """The code cells the kernel runs, read as Python (`grader.submission.student_code`)."""
        return code_cells(self.notebook)

    @property
    def asks_for_gpu(self) -> bool:
        """Whether any code cell mentions the GPU (`cuda`, `gpu`): its kernels then serve GPU
        requests on the CPU (the grader has none)."""
        return any(GPU_WORDS.search(cell.source) for cell in self.code_cells)

    @property
    def source(self) -> str:
        """All code the kernel runs, cell after cell, as Python (IPython's transformation)."""
        return "\n\n".join(cell.python.rstrip("\n") for cell in self.code_cells)


def load_notebook(path: Path) -> Submission:
    if not path.is_file():
        raise NotebookNotFound(path, _("no such file") if not path.exists() else _("not a file"))
    try:
        raw = path.read_bytes().decode("utf-8")
        data = json.loads(raw)
    except UnicodeDecodeError:
        raise NotebookUnreadable(path, _("not UTF-8 text")) from None
    except json.JSONDecodeError as error:
        raise NotebookUnreadable(path, _("not valid JSON (line {line}: {error})").format(
            line=error.lineno, error=error.msg)) from None
    if not isinstance(data, dict) or "cells" not in data and "worksheets" not in data:
        raise NotANotebook(path, _("JSON, but not a Jupyter notebook (no cells)"))
    major = data.get("nbformat")
    if not isinstance(major, int):
        raise NotANotebook(path, _("not a Jupyter notebook (no nbformat version)"))
    if major < 4:
        raise NotebookTooOld(path, _("notebook format {version} is older than 4; open and save it in Jupyter").format(
            version=major))
    try:
        with warnings.catch_warnings():  # old notebooks without cell ids are fine
            warnings.simplefilter("ignore")
            notebook = nbformat.reads(raw, as_version=4)
            nbformat.validate(notebook)
    except nbformat.ValidationError as error:
        raise NotANotebook(path, _("not a valid notebook: {error}").format(error=error.message.splitlines()[0])) from None
    except Exception as error:  # noqa: BLE001 - nbformat raises many kinds on bad input
        raise NotANotebook(path, _("not a valid notebook: {error}").format(error=error)) from None
    skipped = set_aside_unrunnable(notebook)
    return Submission(path=path, notebook=notebook, skipped_lines=tuple(skipped))


def set_aside_unrunnable(notebook: nbformat.NotebookNode) -> list[str]:
    """Leave out of each code cell, in place, what does not run at grading (shell commands,
    package installs, magics other than IPython's harmless ones); return one line per cell
    with parts left out: "code cell 1: shell command not run at grading (!pip install d2l)"."""
    notes: list[str] = []
    number = 0
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        number += 1
        grading = for_grading(cell.source)
        if grading.not_run:
            cell.source = grading.source
            notes.append(not_run_note(number, grading.not_run))
    return notes
