"""Gradescope's results.json (gradescope-autograders.readthedocs.io, "specs").

Students read every `output`: messages and reasons go through `text.student_safe`, names through
`text.printable`, and the JSON text through it again (its escapes are JSON's)."""

from __future__ import annotations

import json
from typing import Any

from grader.reporters.text import points, printable, reason, student_safe
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
        output = f"Your submission could not be graded: {reason(report)}"
    else:
        output = printable(f"{report.assignment}: {points(report.score)}/"
                           f"{points(report.max_score)} points")
        if report.reason:
            output += f". {reason(report)}"
    return {
        "score": report.score,
        "execution_time": round(report.duration, 2),
        "output": output,
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def render(report: GradeReport) -> str:
    return printable(json.dumps(to_data(report), indent=2, ensure_ascii=False), keep_newlines=True)
