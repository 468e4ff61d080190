"""Why a name a check asks for is not defined: the cell that defines it failed, and how.

"softmax is not defined in the notebook" leaves a student to guess; a student can act on
"softmax is not defined: code cell 5 raised SyntaxError: invalid syntax (line 3)". The cell that
defines a name is the last one with a top-level `def name` or `class name` (or `name = …`);
its number is the one Jupyter shows for a run from the top (the code cells counted from 1), or,
inside a live notebook, its execution count.

The same numbers say where a student's function raised: the responder sends back the text of
the cell its line is in (as the kernel compiled it), and `cell_holding` finds that code cell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

from grader.checking.student import Student
from grader.checking.verdicts import StudentMissing
from grader.i18n import _
from grader.results import CellRecord, CellStatus
from grader.submission.student_code import cells_of_sources, definitions, python_of, read


@dataclass(frozen=True)
class CodeCell:
    label: str  # "code cell 5" (a top-to-bottom run) or "cell [5]" (a live notebook)
    source: str
    failure: str = ""  # "raised SyntaxError: invalid syntax (line 3)", "was not run (…)"; "" when it ran


def defines(source: str, name: str) -> bool:
    """Whether `source` binds `name` at its top level (by def, class, assignment or import)."""
    cells = cells_of_sources([source])
    if cells[0].tree is None:
        return re.search(rf"^(async\s+def|def|class)\s+{re.escape(name)}\b", source, re.MULTILINE) is not None
    return bool(definitions(cells, name))


def syntax_problem(source: str) -> str:
    """'SyntaxError: <msg> (line n)' when the cell's Python does not parse, else ''."""
    return read(python_of(source)).problem


def explain_missing(name: str, cells: list[CodeCell]) -> str:
    """Why `name` is not defined, in a student's words ('' when nothing better can be said)."""
    defining = [cell for cell in cells if defines(cell.source, name)]
    if not defining:
        return _("no code cell defines it (a top-level def {name} or class {name})").format(name=name)
    cell = defining[-1]
    problem = syntax_problem(cell.source)
    failure = cell.failure or (_("raised {error}").format(error=problem) if problem else "")
    if failure:
        return _("{cell}, which defines it, {failure}").format(cell=cell.label, failure=failure)
    return _("{cell} defines it, but the name was gone when checked (deleted or renamed later?)").format(
        cell=cell.label)


def code_cells(notebook: Any, records: tuple[CellRecord, ...]) -> list[CodeCell]:
    """The code cells of a graded notebook (`nbformat`) with how each ended (`CellRecord`s)."""
    ended = {record.index: record for record in records}
    cells, number = [], 0
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        number += 1
        record = ended.get(index)
        failure = "" if record is None else _failure(record)
        cells.append(CodeCell(_("code cell {number}").format(number=record.number if record and record.number else number),
                              str(cell.source), failure))
    return cells


def _failure(record: CellRecord) -> str:
    if record.status is CellStatus.OK:
        return ""
    if record.status is CellStatus.ERROR:
        summary = re.sub(r"\([^()]*\.py, line (\d+)\)", r"(line \1)", record.summary)  # IPython's file name
        return _("raised {error}").format(error=summary) if summary else _("raised an error")
    if record.status is CellStatus.SKIPPED:
        return _("was not run ({why})").format(why=record.summary) if record.summary else _("was not run")
    if record.status is CellStatus.TIMEOUT:
        return _("was stopped: took too long (timeout)")
    if record.status is CellStatus.TIMEOUT_KILL:
        return _("was stopped: took too long (timeout), and the kernel was restarted")
    return record.status.words


def cell_holding(cells: list[CodeCell], source: str, line: int, text: str) -> CodeCell | None:
    """The code cell whose text is `source` (a cell's text as the kernel compiled it: IPython
    turns a `%magic` or `!shell` line into Python, line for line), or else the last one whose line
    `line` reads `text`; None when no cell fits."""
    def same(cell: str, compiled: str) -> bool:
        rows, compiled_rows = cell.rstrip().splitlines(), compiled.rstrip().splitlines()
        return len(rows) == len(compiled_rows) and all(
            row.rstrip() == other.rstrip() or row.lstrip().startswith(("%", "!"))
            for row, other in zip(rows, compiled_rows))

    if source.strip():
        found = [cell for cell in cells if same(cell.source, source)]
        if found:
            return found[-1]
    if text and line > 0:
        found = [cell for cell in cells
                 if len(cell.source.splitlines()) >= line and cell.source.splitlines()[line - 1].strip() == text]
        if found:
            return found[-1]
    return None


class ExplainsMissing(Student):
    """A `Student` whose "not defined" verdicts say why, when `explain_missing(name)` knows
    (`grader.checking.missing`: which cell defines the name, and how that cell failed), and
    whose "raised" verdicts name the code cell of the student's line, when `notebook_cells()`
    gives the notebook's cells. Given only `notebook_cells`, it explains missing names from them too."""

    explain_missing: Callable[[str], str] | None = None
    notebook_cells: Callable[[], list[CodeCell]] | None = None

    def _request(self, data: dict, buffers: list, label: str, name: str, checks_own: bool = False) -> Any:
        try:
            return super()._request(data, buffers, label, name, checks_own)
        except StudentMissing as missing:
            raise with_reason(missing, self.explain_missing or self._explain_from_cells) from None

    def _explain_from_cells(self, name: str) -> str:
        return explain_missing(name, self.notebook_cells()) if self.notebook_cells is not None else ""

    def _cell_of(self, place: dict) -> str:
        if self.notebook_cells is None:
            return ""
        line = place.get("line") if isinstance(place.get("line"), int) else 0
        cell = cell_holding(self.notebook_cells(), str(place.get("source", "")), line, str(place.get("text", "")))
        return cell.label if cell is not None else ""


def with_reason(missing: StudentMissing, explain: Callable[[str], str] | None) -> StudentMissing:
    """The same verdict, its message saying why the name is missing when `explain` knows."""
    reason = explain(missing.name) if explain is not None else ""
    if reason:
        missing.args = (_("{name} is not defined: {reason}").format(name=missing.name, reason=reason),)
    return missing
