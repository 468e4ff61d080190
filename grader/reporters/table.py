"""The terminal table: one row per check, then the total.

Whoever runs `grade` reads it, the student too (a Classroom run's log): the notebook is named
by its file name, and reasons and messages go through `text.student_safe`. Every line goes
through `text.printable` last: no student text can redraw the table or start a line. Columns
are measured in display width (`wcwidth`): a Hangul syllable takes two, so Korean lines up."""

from __future__ import annotations

import shutil

from wcwidth import wcswidth, wcwidth

from grader.i18n import N_, _
from grader.reporters.text import cells_to_note, file_name, points, printable, reason, student_safe
from grader.results import CheckStatus, GradeReport, GradeStatus, Isolation

MARKS = {CheckStatus.PASSED: N_("pass"), CheckStatus.FAILED: N_("FAIL"), CheckStatus.ERROR: N_("ERROR")}
INDENT = 16  # where a message's lines start, under the check's name


def render(report: GradeReport, width: int | None = None) -> str:
    width = width or min(shutil.get_terminal_size((120, 20)).columns, 140)
    lines = [f"{file_name(report.submission)}  ({report.assignment or _('unknown assignment')})"]
    if report.status is GradeStatus.UNGRADABLE:
        lines.append(_("not graded: {reason}").format(reason=reason(report)))
    marks = {status: _(mark) for status, mark in MARKS.items()}
    mark_width = max(display_width(mark) for mark in marks.values())
    name_width = min(max((display_width(c.name) for c in report.checks), default=10), 60)
    for check in report.checks:
        score = f"{points(check.points)}/{points(check.max_points)}"
        lines.append(f"{pad(marks[check.status], mark_width)} {score:>7}  {pad(check.name, name_width)}")
        if check.message and check.status is not CheckStatus.PASSED:
            lines += [" " * INDENT + line for line in
                      wrap(student_safe(check.message, report.submission), max(40, width - INDENT))]
    if report.hidden_points:  # --public-only: what ran; what only the instructor's grader runs (hidden, kit-less)
        lines.append(_("Total: public {score}/{max}; {hidden} more points in checks only your instructor's "
                       "grader runs").format(score=points(report.score), max=points(report.max_score),
                                             hidden=points(report.hidden_points)))
    else:
        lines.append(_("Total: {score}/{max}").format(score=points(report.score), max=points(report.max_score)))
    notes = _notes(report)
    if notes:
        lines.append("; ".join(notes))
    return "\n".join(printable(line) for line in lines)


def display_width(text: str) -> int:
    """Columns `text` takes on a terminal: two for each Hangul syllable or other wide character."""
    width = wcswidth(text)
    return width if width >= 0 else sum(max(wcwidth(char), 0) for char in text)


def pad(text: str, width: int) -> str:
    """`text` padded with spaces on the right to `width` columns (display width)."""
    return text + " " * max(0, width - display_width(text))


def wrap(text: str, width: int) -> list[str]:
    """`text` in lines of at most `width` columns (display width), broken at spaces; a word wider
    than a line is broken where it must."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        while display_width(word) > width:  # a long word (a path, a tensor's repr): split it
            room = width - display_width(line) - (1 if line else 0)
            if room <= 0:
                lines.append(line)
                line, room = "", width
            cut = _fitting(word, room)
            lines.append(f"{line} {word[:cut]}" if line else word[:cut])
            line, word = "", word[cut:]
        if line and display_width(line) + 1 + display_width(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    if line:
        lines.append(line)
    return lines


def _fitting(word: str, room: int) -> int:
    """How many characters of `word` fit in `room` columns (at least one)."""
    used = 0
    for count, char in enumerate(word):
        used += max(wcwidth(char), 0)
        if used > room:
            return max(count, 1)
    return len(word)


def _notes(report: GradeReport) -> list[str]:
    notes = [note[0].lower() + note[1:] for note in cells_to_note(report)]  # "cell 4: …"
    execution = report.execution
    if execution.kernel_restarts:
        notes.append(_("the kernel was restarted {count} time(s)").format(count=execution.kernel_restarts))
    if report.isolation is not None:  # then the reason: what a weaker isolation means
        named = report.isolation.value
        if report.isolation is not Isolation.BUBBLEWRAP:
            named += f" ({report.isolation.words})"
        notes.append(_("isolation: {isolation}; graded in {seconds} s").format(
            isolation=named, seconds=f"{report.duration:.1f}"))
    if report.reason and report.status is GradeStatus.GRADED:
        notes.append(reason(report))
    return notes
