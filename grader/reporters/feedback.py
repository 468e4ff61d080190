"""Feedback for students: one Markdown and one HTML file per student.

Each assignment the student handed in gets its score, and each check its result and the
message meant for the student (`CheckResult.message`; hidden checks say no more than that they
failed). The instructor's `detail`, file paths of the grading machine, the grader's own errors
and status tokens are never shown (`text.student_safe`, `CellStatus.words`). Everything from the
submission is escaped.
"""

from __future__ import annotations

import html
import re
from typing import Sequence

from grader.reporters.text import (cells_to_note, file_name, isolation_line, points, printable,
                                   reason, student_safe)
from grader.results import CheckResult, CheckStatus, GradeReport, Outcome, RowStatus

RESULT_WORDS = {CheckStatus.PASSED: "passed", CheckStatus.FAILED: "failed",
                CheckStatus.ERROR: "not judged"}
GRADER_TROUBLE = ("Your submission could not be graded because of a problem on the grading side, "
                  "not in your work. Your instructor has been told.")
STYLE = """body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.3rem .5rem;
text-align:left;vertical-align:top}.passed{color:#176f2c}.failed,.not-judged{color:#b00020}
.note{color:#555}"""


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
        return GRADER_TROUBLE
    if outcome.status is RowStatus.UNGRADABLE:
        return f"Your submission could not be graded: {reason(report)}"
    text = f"{points(report.score)} of {points(report.max_score)} points."
    if report.reason:
        text += f" {reason(report)}"
    return text


def notes(report: GradeReport) -> list[str]:
    """What happened to the student's own cells (their errors are theirs to see), and the
    isolation that graded them (what a weaker one means is in the summary line's reason)."""
    lines = cells_to_note(report)
    if report.execution.skipped_lines:
        lines.append("Not run (shell commands are not allowed): " + ", ".join(report.execution.skipped_lines))
    if report.isolation is not None:
        lines.append(isolation_line(report))
    return lines


def render_markdown(student: str, outcomes: Sequence[Outcome]) -> str:
    lines = [f"# Feedback for {_md(student)}", ""]
    for outcome in outcomes:
        report = outcome.report
        lines += [f"## {_md(report.assignment or file_name(report.submission))}", "",
                  _md(summary_line(outcome)), ""]
        if report.checks and outcome.status is not RowStatus.ERROR:
            lines += ["| # | Check | Result | Points | Message |", "|---|---|---|---|---|"]
            lines += [f"| {c.number} | {_md(c.name)} | {RESULT_WORDS[c.status]} | "
                      f"{points(c.points)}/{points(c.max_points)} | {_md(_message(c, report))} |" for c in report.checks]
            lines.append("")
        if outcome.status is not RowStatus.ERROR:
            lines += [f"- {_md(note)}" for note in notes(report)]
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def render_html(student: str, outcomes: Sequence[Outcome]) -> str:
    e = lambda text: html.escape(printable(str(text)))  # noqa: E731 - no control reaches the file
    parts = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
             f"<title>Feedback for {e(student)}</title><style>{STYLE}</style></head><body>",
             f"<h1>Feedback for {e(student)}</h1>"]
    for outcome in outcomes:
        report = outcome.report
        parts.append(f"<h2>{e(report.assignment or file_name(report.submission))}</h2>")
        parts.append(f"<p>{e(summary_line(outcome))}</p>")
        if report.checks and outcome.status is not RowStatus.ERROR:
            parts.append("<table><thead><tr><th>#</th><th>Check</th><th>Result</th><th>Points</th>"
                         "<th>Message</th></tr></thead><tbody>")
            for c in report.checks:
                word = RESULT_WORDS[c.status]
                parts.append(f"<tr><td>{e(c.number)}</td><td>{e(c.name)}</td>"
                             f"<td class='{word.replace(' ', '-')}'>{word}</td>"
                             f"<td>{points(c.points)}/{points(c.max_points)}</td>"
                             f"<td>{e(_message(c, report))}</td></tr>")
            parts.append("</tbody></table>")
        if outcome.status is not RowStatus.ERROR and notes(report):
            parts.append("<ul class='note'>" + "".join(f"<li>{e(n)}</li>" for n in notes(report)) + "</ul>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _message(check: CheckResult, report: GradeReport) -> str:
    if check.status is CheckStatus.PASSED:
        return ""
    return student_safe(check.message, report.submission)


def _md(text: str) -> str:
    text = " ".join(printable(str(text)).split())
    return re.sub(r"([\\`*_{}\[\]<>|#])", r"\\\1", text)
