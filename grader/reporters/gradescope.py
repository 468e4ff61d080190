"""Gradescope's results.json (gradescope-autograders.readthedocs.io, "specs").

Students read every `output`: messages and reasons go through `text.student_safe`, names through
`text.printable`, and the JSON text through it again (its escapes are JSON's). The top-level
`output` names the isolation that graded the submission, then the reason, which says what a
weaker one means, then each cell with parts not run at grading; `extra_data` holds its token for scripts ({"isolation": "rlimits"})."""

from __future__ import annotations

import json
from typing import Any

from grader.i18n import _
from grader.reporters.text import isolation_line, not_run_notes, points, printable, reason, student_safe
from grader.results import CheckStatus, GradeReport, GradeStatus

HIDDEN_VISIBILITY = "after_published"


def to_data(report: GradeReport) -> dict[str, Any]:
    tests = []
    for check in report.checks:
        test: dict[str, Any] = {
            "name": printable(check.name),
            "number": check.number,
            "score": check.points,
            "max_score": check.max_points,
            "status": "passed" if check.status is CheckStatus.PASSED else "failed",
            "output": student_safe(check.message, report.submission),
            "visibility": HIDDEN_VISIBILITY if check.hidden else "visible",
        }
        tests.append(test)
    if report.status is GradeStatus.UNGRADABLE:
        sentences = [_("Your submission could not be graded: {reason}").format(reason=reason(report))]
    else:
        sentences = [printable(_("{assignment}: {score}/{max} points").format(
            assignment=report.assignment, score=points(report.score), max=points(report.max_score)))]
    if report.isolation is not None:
        sentences.append(isolation_line(report))
    if report.reason and report.status is GradeStatus.GRADED:
        sentences.append(reason(report))
    sentences += not_run_notes(report)  # "Code cell 1: shell command not run at grading (!pip install d2l)"
    data: dict[str, Any] = {
        "score": report.score,
        "execution_time": round(report.duration, 2),
        "output": ". ".join(sentences),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }
    if report.isolation is not None:
        data["extra_data"] = {"isolation": report.isolation.value}
    return data


def render(report: GradeReport) -> str:
    return printable(json.dumps(to_data(report), indent=2, ensure_ascii=False), keep_newlines=True)
