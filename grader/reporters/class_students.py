"""The class page's view of each student: a table with one row per student, and every check's
full result for the instructor.

The table shows each assignment's points (or missing, ungradable, not graded, late: the class
gradebook's cells, `gradebook.rows`), the total, a link to the student's feedback file when
feedback was written, and a flag where the student's work matches another student's
(`similarity`). The details list every check, hidden ones included and marked "hidden", with
the message the student saw and the instructor's full detail. This page is for the
instructor: nothing here goes into a student's files.
"""

from __future__ import annotations

import html
from datetime import datetime
from typing import Sequence
from urllib.parse import quote

from grader.reporters.feedback import file_stems
from grader.reporters.gradebook import CellState, Clock, assignments, maxima, modified_time, rows
from grader.reporters.similarity import Match
from grader.reporters.text import cells_to_note, points, printable
from grader.results import CheckStatus, Outcome, RowStatus

RESULT_WORDS = {CheckStatus.PASSED: "passed", CheckStatus.FAILED: "failed",
                CheckStatus.ERROR: "check error"}
HIDDEN_MARK = "<span class='hidden-check'>hidden</span>"


def e(text: object) -> str:
    """Student-derived text for the page: control characters visible, then HTML-escaped."""
    return html.escape(printable(str(text), keep_newlines=True))


def student_table(outcomes: Sequence[Outcome], matches: Sequence[Match],
                  feedback_link: str | None = None, deadline: datetime | None = None,
                  clock: Clock = modified_time) -> str:
    """The per-student table; `feedback_link` is the feedback folder relative to the page."""
    columns = assignments(outcomes)
    limits = maxima(outcomes)
    stems = file_stems(outcomes) if feedback_link is not None else {}
    flagged: dict[str, list[str]] = {}
    for match in matches:
        for student in match.students:
            others = ", ".join(s for s in match.students if s != student)
            flagged.setdefault(student, []).append(f"{match.assignment}: {match.kind} with {others}")
    head = "".join(f"<th>{e(a)} <span class='of'>/ {points(limits.get(a, 0))}</span></th>"
                   for a in columns)
    parts = ["<table class='students'><thead><tr><th>Student</th>" + head
             + "<th>Total</th><th>Feedback</th><th>Flags</th></tr></thead><tbody>"]
    for row in rows(outcomes, deadline, clock):
        cells = "".join(_cell_html(row.cells[a]) for a in columns)
        link = ""
        if row.student in stems:
            href = f"{feedback_link.rstrip('/')}/{quote(stems[row.student])}.html" \
                if feedback_link else f"{quote(stems[row.student])}.html"
            link = f"<a class='feedback' href='{e(href)}'>feedback</a>"
        notes = [e(n) for n in flagged.get(row.student, [])]
        notes += [e(f"{o.path.name}: not graded ({o.report.reason})") for o in row.unassigned]
        anchor = f"<a href='#{_anchor(row.student)}'>{e(row.student)}</a>"
        parts.append(f"<tr><td>{anchor}</td>{cells}<td class='num'>{points(row.total)}</td>"
                     f"<td>{link}</td><td class='flags'>{'<br>'.join(notes)}</td></tr>")
    parts.append("</tbody></table>")
    return "\n".join(parts)


def _cell_html(cell) -> str:  # noqa: ANN001 - a gradebook.Cell
    late = " <span class='late'>late</span>" if cell.late else ""
    title = f" title='{e(cell.note)}'" if cell.note else ""
    if cell.state is CellState.GRADED:
        return f"<td class='num'{title}>{points(cell.points)}{late}</td>"
    if cell.state is CellState.UNGRADABLE:
        return f"<td class='num ungradable'{title}>0 <span class='mark'>ungradable</span>{late}</td>"
    word = "missing" if cell.state is CellState.MISSING else "not graded"
    return f"<td class='{word.replace(' ', '-')}'{title}>{word}</td>"


def student_details(outcomes: Sequence[Outcome]) -> str:
    """Every submission's checks in full, grouped by student (collapsed)."""
    parts = []
    grouped: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        grouped.setdefault(outcome.student, []).append(outcome)
    for student, own in grouped.items():
        parts.append(f"<details class='student' id='{_anchor(student)}'><summary>{e(student)}"
                     "</summary>")
        for outcome in own:
            parts.append(_submission_html(outcome))
        parts.append("</details>")
    return "\n".join(parts)


def _submission_html(outcome: Outcome) -> str:
    report = outcome.report
    cached = " (result from the state folder)" if outcome.cached else ""
    parts = [f"<h4>{e(report.assignment or '(unknown assignment)')}: "
             f"{points(report.score)}/{points(report.max_score)}, {e(outcome.status.value)}"
             f"{cached}</h4><p class='path'>{e(str(outcome.path))}</p>"]
    if report.reason:
        parts.append(f"<p class='reason'>{e(report.reason)}</p>")
    if report.checks and outcome.status is not RowStatus.ERROR:
        parts.append("<table class='checks'><thead><tr><th>#</th><th>Check</th><th>Result</th>"
                     "<th>Points</th><th>Student saw</th><th>Detail (instructor)</th></tr>"
                     "</thead><tbody>")
        for c in report.checks:
            hidden = f" {HIDDEN_MARK}" if c.hidden else ""
            word = RESULT_WORDS[c.status]
            parts.append(f"<tr><td>{e(c.number)}</td><td>{e(c.name)}{hidden}</td>"
                         f"<td class='{word.replace(' ', '-')}'>{word}</td>"
                         f"<td class='num'>{points(c.points)}/{points(c.max_points)}</td>"
                         f"<td>{e(c.message)}</td><td><pre>{e(c.detail)}</pre></td></tr>")
        parts.append("</tbody></table>")
    notes = cells_to_note(report)
    if notes:
        parts.append("<ul class='cells'>" + "".join(f"<li>{e(n)}</li>" for n in notes) + "</ul>")
    return "\n".join(parts)


def _anchor(student: str) -> str:
    return "student-" + quote(student, safe="")
