"""The class gradebook: one row per student, one total per assignment (`grade --gradebook FILE`).

    student, <assignment 1>, <assignment 2>, …, total, max, notes

- A cell holds the points the student earned for that assignment.
- Empty: missing. The student handed in nothing for an assignment that others in the batch
  handed in; the student is still listed, and `notes` says "missing".
- 0, marked in `notes` ("ungradable: why"): a notebook that could not be graded (not valid
  JSON, …) still counts, at no points.
- Empty, marked in `notes`: the grader failed on it ("grader error: rerun"), or the batch was
  interrupted before it ("not graded"). Neither is the student's fault, so neither is a 0.
- Several notebooks for one assignment: the best counts, and `notes` says so.
- `total` adds the cells (empty counts 0); `max` adds each assignment's maximum, the same for
  every student.

Late: files carry no hand-in time, so lateness is judged, on request (`grade --deadline ISO`),
from each notebook's modification time on the grading machine. That time is only as good as
the way the files arrived: an LMS download usually keeps it, a `git clone` or a plain copy
resets it to the moment of copying. A late notebook keeps its points; `notes` says "late".

`rows` is the model the LMS files (`lms`) and the class page share. Text that a spreadsheet
would run as a formula (a leading =, +, -, @) is quoted with a '.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime, timezone
from enum import Enum
from pathlib import Path
from typing import Callable, Sequence

from grader.reporters.text import points, printable
from grader.results import Outcome, RowStatus

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
Clock = Callable[[Path], "datetime | None"]


class CellState(str, Enum):
    GRADED = "graded"
    MISSING = "missing"  # nothing handed in for this assignment
    UNGRADABLE = "ungradable"  # handed in, could not be graded: 0 points
    NOT_GRADED = "not graded"  # the grader failed, or the batch stopped: no points known yet


@dataclass(frozen=True)
class Cell:
    state: CellState
    points: float | None = None  # None: empty in the gradebook
    late: bool = False
    outcome: Outcome | None = None  # the submission that counts
    note: str = ""


@dataclass(frozen=True)
class StudentRow:
    student: str
    cells: dict[str, Cell] = field(default_factory=dict)  # assignment -> cell, in column order
    unassigned: tuple[Outcome, ...] = ()  # notebooks whose assignment could not be told

    @property
    def total(self) -> float:
        return round(sum(c.points or 0.0 for c in self.cells.values()), 6)

    def notes(self) -> list[str]:
        found = [f"{a}: {c.note}" for a, c in self.cells.items() if c.note]
        found += [f"{o.path.name}: {_unassigned_note(o)}" for o in self.unassigned]
        return found


def parse_deadline(text: str) -> datetime:
    """An ISO 8601 time ("2026-03-01T23:59", "2026-03-01T23:59+01:00"); without a zone, the
    grading machine's local time."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.astimezone()


def modified_time(path: Path) -> datetime | None:
    """The file's modification time, or None if it cannot be read."""
    try:
        return datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.utc)
    except OSError:
        return None


def assignments(outcomes: Sequence[Outcome]) -> list[str]:
    """The assignments handed in, in first-seen order: the gradebook's columns."""
    return list(dict.fromkeys(o.report.assignment for o in outcomes if o.report.assignment))


def maxima(outcomes: Sequence[Outcome]) -> dict[str, float]:
    """Assignment -> its maximum (every report that lists its checks knows it)."""
    found: dict[str, float] = {}
    for outcome in outcomes:
        if outcome.report.assignment and outcome.report.checks:
            found[outcome.report.assignment] = max(found.get(outcome.report.assignment, 0.0),
                                                   outcome.report.max_score)
    return found


def rows(outcomes: Sequence[Outcome], deadline: datetime | None = None,
         clock: Clock = modified_time) -> list[StudentRow]:
    """One row per student, in first-seen order, with a cell for every assignment."""
    columns = assignments(outcomes)
    handed: dict[str, dict[str, list[Outcome]]] = {}
    unassigned: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        own = handed.setdefault(outcome.student, {})
        if outcome.report.assignment:
            own.setdefault(outcome.report.assignment, []).append(outcome)
        else:
            unassigned.setdefault(outcome.student, []).append(outcome)
    return [StudentRow(student, {a: _cell(own.get(a, []), deadline, clock) for a in columns},
                       tuple(unassigned.get(student, ())))
            for student, own in handed.items()]


def _cell(handed: list[Outcome], deadline: datetime | None, clock: Clock) -> Cell:
    if not handed:
        return Cell(CellState.MISSING, note="missing")
    graded = [o for o in handed if o.status is RowStatus.GRADED]
    ungradable = [o for o in handed if o.status is RowStatus.UNGRADABLE]
    notes = [f"{len(handed)} notebooks, the best counts"] if len(handed) > 1 else []
    if graded:
        best = max(graded, key=lambda o: o.report.score)
        state, earned = CellState.GRADED, best.report.score
    elif ungradable:
        best = ungradable[0]
        state, earned = CellState.UNGRADABLE, 0.0
        notes.insert(0, f"ungradable: {best.report.reason}" if best.report.reason else "ungradable")
    else:
        best = handed[0]
        state, earned = CellState.NOT_GRADED, None
        notes.insert(0, "grader error: rerun" if best.status is RowStatus.ERROR else "not graded")
    late = False
    if deadline is not None:
        moment = clock(best.path)
        late = moment is not None and moment > deadline
        if late:
            notes.append(f"late ({moment.astimezone(deadline.tzinfo):%Y-%m-%d %H:%M})")
    return Cell(state, earned, late, best, "; ".join(notes))


def _unassigned_note(outcome: Outcome) -> str:
    what = "grader error" if outcome.status is RowStatus.ERROR else "no known assignment"
    return f"{what}: {outcome.report.reason}" if outcome.report.reason else what


def render(outcomes: Sequence[Outcome], deadline: datetime | None = None,
           clock: Clock = modified_time) -> str:
    columns = assignments(outcomes)
    limits = maxima(outcomes)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", *(spreadsheet_safe(a) for a in columns), "total", "max", "notes"])
    for row in rows(outcomes, deadline, clock):
        cells = [_points(row.cells[a].points) for a in columns]
        writer.writerow([spreadsheet_safe(row.student), *cells, points(row.total),
                         points(sum(limits.get(a, 0.0) for a in columns)),
                         spreadsheet_safe("; ".join(row.notes()))])
    return buffer.getvalue()


def _points(value: float | None) -> str:
    return "" if value is None else points(value)


def spreadsheet_safe(text: str) -> str:
    """`text`, quoted with a ' when a spreadsheet would run it as a formula."""
    text = printable(text)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
