"""Feedback for students: one Markdown and one HTML file per student.

Each assignment the student handed in gets its score, and each check its result and the
message meant for the student (`CheckResult.message`; hidden checks say no more than that they
failed). The instructor's `detail`, file paths of the grading machine, the grader's own errors
and status tokens are never shown (`text.student_safe`, `CellStatus.words`). Everything from the
submission is escaped.
"""

from __future__ import annotations

import re
from typing import Sequence

from grader.i18n import N_, _, current_language
from grader.reporters.html import render_page
from grader.reporters.text import (cells_to_note, file_name, isolation_line, points, printable,
                                   reason, student_safe)
from grader.results import CheckResult, CheckStatus, GradeReport, Outcome, RowStatus

RESULT_WORDS = {CheckStatus.PASSED: N_("passed"), CheckStatus.FAILED: N_("failed"),
                CheckStatus.ERROR: N_("not judged")}
GRADER_TROUBLE = N_("Your submission could not be graded because of a problem on the grading side, "
                    "not in your work. Your instructor has been told.")


def file_stem(student: str) -> str:
    """A file name for a student id: letters, digits, '.', '_' and '-' only."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", student).strip("._-") or "student"
    return stem[:100]


def by_student(outcomes: Sequence[Outcome]) -> dict[str, list[Outcome]]:
    grouped: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        if outcome.status is not RowStatus.NOT_RUN:
            grouped.setdefault(outcome.student, []).append(outcome)
    return grouped


def file_stems(outcomes: Sequence[Outcome]) -> dict[str, str]:
    """Student -> the stem of their feedback files (the class page links to `<stem>.html`)."""
    stems: dict[str, str] = {}
    for student in by_student(outcomes):
        stem = file_stem(student)
        while stem in stems.values():  # two ids that clean up alike
            stem += "_"
        stems[student] = stem
    return stems


def render_files(outcomes: Sequence[Outcome]) -> dict[str, str]:
    """File name -> text: `<student>.md` and `<student>.html` for every student graded."""
    files: dict[str, str] = {}
    stems = file_stems(outcomes)
    for student, own in by_student(outcomes).items():
        files[f"{stems[student]}.md"] = render_markdown(student, own)
        files[f"{stems[student]}.html"] = render_html(student, own)
    return files


def summary_line(outcome: Outcome) -> str:
    report = outcome.report
    if outcome.status is RowStatus.ERROR:
        return _(GRADER_TROUBLE)
    if outcome.status is RowStatus.UNGRADABLE:
        return _("Your submission could not be graded: {reason}").format(reason=reason(report))
    text = _("{score} of {max} points.").format(score=points(report.score), max=points(report.max_score))
    if report.reason:
        text += f" {reason(report)}"
    return text


def notes(report: GradeReport) -> list[str]:
    """What happened to the student's own cells (their errors are theirs to see), and the
    isolation that graded them (what a weaker one means is in the summary line's reason)."""
    lines = cells_to_note(report)
    if report.isolation is not None:
        lines.append(isolation_line(report))
    return lines


def render_markdown(student: str, outcomes: Sequence[Outcome]) -> str:
    lines = [_("# Feedback for {student}").format(student=_md(student)), ""]
    for outcome in outcomes:
        report = outcome.report
        lines += [f"## {_md(report.assignment or file_name(report.submission))}", "",
                  _md(summary_line(outcome)), ""]
        if report.checks and outcome.status is not RowStatus.ERROR:
            lines += [_("| # | Check | Result | Points | Message |"), "|---|---|---|---|---|"]
            lines += [f"| {c.number} | {_md(c.name)} | {_(RESULT_WORDS[c.status])} | "
                      f"{points(c.points)}/{points(c.max_points)} | {_md(_message(c, report))} |" for c in report.checks]
            lines.append("")
        if outcome.status is not RowStatus.ERROR:
            lines += [f"- {_md(note)}" for note in notes(report)]
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def render_html(student: str, outcomes: Sequence[Outcome]) -> str:
    submissions = []
    for outcome in outcomes:
        report = outcome.report
        judged = outcome.status is not RowStatus.ERROR
        submissions.append({
            "title": report.assignment or file_name(report.submission), "summary": summary_line(outcome),
            "checks": [{"number": c.number, "name": c.name, "result": _(RESULT_WORDS[c.status]), "kind": c.status.value,
                        "points": points(c.points), "max": points(c.max_points),
                        "message": _message(c, report)} for c in report.checks] if judged else [],
            "notes": notes(report) if judged else []})
    return render_page("feedback.html", keep_newlines=False, student=printable(student), submissions=submissions,
                       language=current_language())


def _message(check: CheckResult, report: GradeReport) -> str:
    if check.status is CheckStatus.PASSED:
        return ""
    return student_safe(check.message, report.submission)


def _md(text: str) -> str:
    text = " ".join(printable(str(text)).split())
    return re.sub(r"([\\`*_{}\[\]<>|#])", r"\\\1", text)
