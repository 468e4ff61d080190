"""Reading a submitted notebook: validation, and the code the kernel will actually run.

The file on disk is only ever read. Shell escapes (`!cmd`, `%pip`, `%conda`, `%%bash`, …) are
replaced in the in-memory copy by `pass`, and listed, so they are reported as skipped.
"""

from __future__ import annotations

import json
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import nbformat

from grader.errors import NotANotebook, NotebookNotFound, NotebookTooOld, NotebookUnreadable
from grader.submission.course import declared_assignment

SHELL_LINE = re.compile(
    r"^(\s*)(!|%(pip|conda|mamba|system|sx|sc)\b|%%(bash|sh|script|system|sx|capture\s+!))"
)
CELL_SHELL_MAGIC = re.compile(r"^\s*%%(bash|sh|script|system|sx|perl|ruby|writefile|file)\b")


@dataclass(frozen=True)
class Submission:
    path: Path
    notebook: nbformat.NotebookNode  # the runnable copy: shell escapes removed
    skipped_lines: tuple[str, ...]

    @property
    def declared_assignment(self) -> str | None:
        """The assignment the notebook's metadata says it is for, if any."""
        return declared_assignment(self.notebook.metadata)

    @property
    def source(self) -> str:
        """All code the kernel runs, cell after cell (magics and shell lines left as `pass`)."""
        return "\n\n".join(c.source for c in self.notebook.cells if c.cell_type == "code")


def load_notebook(path: Path) -> Submission:
    if not path.is_file():
        raise NotebookNotFound(path, "no such file" if not path.exists() else "not a file")
    try:
        raw = path.read_bytes().decode("utf-8")
        data = json.loads(raw)
    except UnicodeDecodeError:
        raise NotebookUnreadable(path, "not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise NotebookUnreadable(path, f"not valid JSON (line {error.lineno}: {error.msg})") from None
    if not isinstance(data, dict) or "cells" not in data and "worksheets" not in data:
        raise NotANotebook(path, "JSON, but not a Jupyter notebook (no cells)")
    major = data.get("nbformat")
    if not isinstance(major, int):
        raise NotANotebook(path, "not a Jupyter notebook (no nbformat version)")
    if major < 4:
        raise NotebookTooOld(path, f"notebook format {major} is older than 4; open and save it in Jupyter")
    try:
        with warnings.catch_warnings():  # old notebooks without cell ids are fine
            warnings.simplefilter("ignore")
            notebook = nbformat.reads(raw, as_version=4)
            nbformat.validate(notebook)
    except nbformat.ValidationError as error:
        raise NotANotebook(path, f"not a valid notebook: {error.message.splitlines()[0]}") from None
    except Exception as error:  # noqa: BLE001 - nbformat raises many kinds on bad input
        raise NotANotebook(path, f"not a valid notebook: {error}") from None
    skipped = strip_shell_escapes(notebook)
    return Submission(path=path, notebook=notebook, skipped_lines=tuple(skipped))


def strip_shell_escapes(notebook: nbformat.NotebookNode) -> list[str]:
    """Replace shell escapes and package-manager magics by `pass`, in place; return them."""
    skipped: list[str] = []
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        lines = cell.source.splitlines()
        if lines and CELL_SHELL_MAGIC.match(lines[0]):
            skipped.append(lines[0].strip())
            cell.source = "pass"
            continue
        kept = []
        for line in lines:
            match = SHELL_LINE.match(line)
            if match:
                skipped.append(line.strip())
                kept.append(match.group(1) + "pass")
            else:
                kept.append(line)
        cell.source = "\n".join(kept)
    return skipped
