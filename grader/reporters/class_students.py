"""The class page's view of each student: a table with one row per student, and every check's
full result for the instructor, as plain data for the page's template (`templates/class_page.html`).

The table shows each assignment's points (or missing, ungradable, not graded, late: the class
gradebook's cells, `gradebook.rows`), the total, a link to the student's feedback file when
feedback was written, and a flag where the student's work matches another student's
(`similarity`). The details list every check, hidden ones included and marked "hidden", with
the message the student saw and the instructor's full detail. This page is for the
instructor: nothing here goes into a student's files.
"""

from __future__ import annotations

from datetime import datetime
from typing import Sequence
from urllib.parse import quote

from grader.reporters.feedback import file_stems
from grader.reporters.gradebook import Cell, CellState, Clock, assignments, maxima, modified_time, rows
from grader.reporters.similarity import Match
from grader.reporters.text import cells_to_note, points
from grader.results import CheckStatus, Outcome, RowStatus

RESULT_WORDS = {CheckStatus.PASSED: "passed", CheckStatus.FAILED: "failed",
                CheckStatus.ERROR: "check error"}
CELL_STATES = {CellState.GRADED: "graded", CellState.UNGRADABLE: "ungradable",
               CellState.MISSING: "missing"}  # any other: "not-graded"


def student_table(outcomes: Sequence[Outcome], matches: Sequence[Match],
                  feedback_link: str | None = None, deadline: datetime | None = None,
                  clock: Clock = modified_time) -> dict:
    """The per-student table; `feedback_link` is the feedback folder relative to the page."""
    columns = assignments(outcomes)
    limits = maxima(outcomes)
    stems = file_stems(outcomes) if feedback_link is not None else {}
    flagged: dict[str, list[str]] = {}
    for match in matches:
        for student in match.students:
            others = ", ".join(s for s in match.students if s != student)
            flagged.setdefault(student, []).append(f"{match.assignment}: {match.kind} with {others}")
    table_rows = []
    for row in rows(outcomes, deadline, clock):
        feedback = ""
        if row.student in stems:
            feedback = f"{feedback_link.rstrip('/')}/{quote(stems[row.student])}.html" \
                if feedback_link else f"{quote(stems[row.student])}.html"
        notes = [*flagged.get(row.student, []),
                 *(f"{o.path.name}: not graded ({o.report.reason})" for o in row.unassigned)]
        table_rows.append({"student": row.student, "anchor": anchor(row.student),
                           "cells": [_cell(row.cells[a]) for a in columns],
                           "total": points(row.total), "feedback": feedback, "notes": notes})
    return {"columns": [{"name": a, "max": points(limits.get(a, 0))} for a in columns],
            "rows": table_rows}


def _cell(cell: Cell) -> dict:
    return {"state": CELL_STATES.get(cell.state, "not-graded"),
            "points": "" if cell.points is None else points(cell.points),
            "late": cell.late, "note": cell.note}


def student_details(outcomes: Sequence[Outcome]) -> list[dict]:
    """Every submission's checks in full, grouped by student (collapsed on the page)."""
    grouped: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        grouped.setdefault(outcome.student, []).append(outcome)
    return [{"student": student, "anchor": anchor(student),
             "submissions": [_submission(outcome) for outcome in own]}
            for student, own in grouped.items()]


def _submission(outcome: Outcome) -> dict:
    report = outcome.report
    shown = report.checks if outcome.status is not RowStatus.ERROR else []
    return {
        "assignment": report.assignment or "(unknown assignment)", "score": points(report.score),
        "max": points(report.max_score), "status": outcome.status.value, "cached": outcome.cached,
        "path": str(outcome.path), "reason": report.reason, "notes": cells_to_note(report),
        "checks": [{"number": c.number, "name": c.name, "hidden": c.hidden,
                    "result": RESULT_WORDS[c.status], "points": points(c.points),
                    "max": points(c.max_points), "message": c.message, "detail": c.detail}
                   for c in shown],
    }


def anchor(student: str) -> str:
    return "student-" + quote(student, safe="")
