"""GitHub Classroom's runner result (`--format classroom`), as classroom-resources' reporter reads it.

    {"version": 1, "status": "pass"|"fail"|"error", "max_score": N,
     "tests": [{"name", "status": "pass"|"fail"|"error", "score", "message", "test_code",
                "filename", "line_no", "duration" (ms)}]}

The reporter sends Classroom the sum of `tests[].score` and throws on a result without `tests`,
which loses every runner's points; so `tests` is never empty (a submission that could not be
graded at all is one test with status error and score 0), and `max_score` is the sum of the
tests' maxima, so the console's figure and Classroom's agree whenever each check is all or
nothing. A `score` is an int when it is whole. Students read every message: they go through
`text.student_safe`. The reporter prints each name and message in the workflow's log, so every
string goes through `text.printable` (no control character, no line break, no workflow
command), and the JSON text through it again.
"""

from __future__ import annotations

import json
from typing import Any

from grader.reporters.text import file_name, number, printable, reason, student_safe
from grader.results import CheckStatus, GradeReport, GradeStatus

STATUS = {CheckStatus.PASSED: "pass", CheckStatus.FAILED: "fail", CheckStatus.ERROR: "error"}


def to_data(report: GradeReport) -> dict[str, Any]:
    filename = printable(file_name(report.submission))
    tests = []
    for check in report.checks:
        test: dict[str, Any] = {
            "name": printable(check.name), "status": STATUS[check.status],
            "score": number(check.points), "test_code": printable(check.function),
            "filename": filename, "line_no": 0, "duration": int(round(check.duration * 1000)),
        }
        if check.status is not CheckStatus.PASSED:
            test["message"] = student_safe(check.message, report.submission)
        tests.append(test)
    if not tests:
        tests.append({"name": "notebook could be graded", "status": "error", "score": 0,
                      "message": reason(report) or "the submission could not be graded",
                      "test_code": "", "filename": filename, "line_no": 0,
                      "duration": int(round(report.duration * 1000))})
    if report.status is GradeStatus.UNGRADABLE:
        status = "error"
    elif all(t["status"] == "pass" for t in tests):
        status = "pass"
    else:
        status = "fail"
    return {"version": 1, "status": status,
            "max_score": number(sum(c.max_points for c in report.checks)), "tests": tests}


def render(report: GradeReport) -> str:
    return printable(json.dumps(to_data(report), indent=2, ensure_ascii=False), keep_newlines=True)

