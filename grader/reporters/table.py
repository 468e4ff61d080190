"""The terminal table: one row per check, then the total.

Whoever runs `grade` reads it, the student too (a Classroom run's log): the notebook is named
by its file name, and reasons and messages go through `text.student_safe`. Every line goes
through `text.printable` last: no student text can redraw the table or start a line."""

from __future__ import annotations

import shutil
import textwrap

from grader.reporters.text import cells_to_note, file_name, points, printable, reason, student_safe
from grader.results import CheckStatus, GradeReport, GradeStatus, Isolation

MARKS = {CheckStatus.PASSED: "pass", CheckStatus.FAILED: "FAIL", CheckStatus.ERROR: "ERROR"}


def render(report: GradeReport, width: int | None = None) -> str:
    width = width or min(shutil.get_terminal_size((120, 20)).columns, 140)
    lines = [f"{file_name(report.submission)}  ({report.assignment or 'unknown assignment'})"]
    if report.status is GradeStatus.UNGRADABLE:
        lines.append(f"not graded: {reason(report)}")
    name_width = min(max((len(c.name) for c in report.checks), default=10), 60)
    for check in report.checks:
        score = f"{points(check.points)}/{points(check.max_points)}"
        head = f"{MARKS[check.status]:<5} {score:>7}  {check.name:<{name_width}}"
        lines.append(head)
        if check.message and check.status is not CheckStatus.PASSED:
            lines += textwrap.wrap(student_safe(check.message, report.submission),
                                   width=max(40, width - 16),
                                   initial_indent=" " * 16, subsequent_indent=" " * 16)
    if report.hidden_points:  # --public-only: what was run, and what the hidden checks hold
        lines.append(f"Total: public {points(report.score)}/{points(report.max_score)}; "
                     f"{points(report.hidden_points)} more points in hidden checks")
    else:
        lines.append(f"Total: {points(report.score)}/{points(report.max_score)}")
    notes = _notes(report)
    if notes:
        lines.append("; ".join(notes))
    return "\n".join(printable(line) for line in lines)


def _notes(report: GradeReport) -> list[str]:
    notes = [note[0].lower() + note[1:] for note in cells_to_note(report)]  # "cell 4: …"
    execution = report.execution
    if execution.kernel_restarts:
        notes.append(f"the kernel was restarted {execution.kernel_restarts} time(s)")
    if report.isolation is not None:  # then the reason: what a weaker isolation means
        named = report.isolation.value
        if report.isolation is not Isolation.BUBBLEWRAP:
            named += f" ({report.isolation.words})"
        notes.append(f"isolation: {named}; graded in {report.duration:.1f} s")
    if report.reason and report.status is GradeStatus.GRADED:
        notes.append(reason(report))
    return notes
