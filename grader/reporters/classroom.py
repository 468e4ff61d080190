"""GitHub Classroom's runner result (`--format classroom`), as classroom-resources' reporter reads it.

    {"version": 1, "status": "pass"|"fail"|"error", "max_score": N,
     "tests": [{"name", "status": "pass"|"fail"|"error", "score", "message"?, "test_code",
                "filename", "line_no", "duration" (ms)}]}

The reporter sends Classroom the sum of `tests[].score` and throws on a result without `tests`,
which loses every runner's points; so `tests` is never empty (a submission that could not be
graded at all is one test with status error and score 0), and `max_score` is the sum of the
tests' maxima, so the console's figure and Classroom's agree whenever each check is all or
nothing. A `score` is an int when it is whole. Every test's `message` (a passing one's too,
where command-grader leaves it out) ends by naming the isolation that graded the submission,
with the report's reason when it is not bubblewrap (what that means); the reporter prints the
messages of the tests that did not pass. Students read every message: they go through
`text.student_safe`. The reporter prints each name and message in the workflow's log, so every
string goes through `text.printable` (no control character, no line break, no workflow
command), and the JSON text through it again.
"""

from __future__ import annotations

import json
from typing import Any

from grader.i18n import _
from grader.reporters.text import file_name, isolation_line, number, printable, reason, student_safe
from grader.results import CheckStatus, GradeReport, GradeStatus, Isolation

STATUS = {CheckStatus.PASSED: "pass", CheckStatus.FAILED: "fail", CheckStatus.ERROR: "error"}


def to_data(report: GradeReport) -> dict[str, Any]:
    filename = printable(file_name(report.submission))
    stated = _isolation_stated(report)
    tests = []
    for check in report.checks:
        test: dict[str, Any] = {
            "name": printable(check.name), "status": STATUS[check.status],
            "score": number(check.points), "test_code": printable(check.function),
            "filename": filename, "line_no": 0, "duration": int(round(check.duration * 1000)),
        }
        said = "" if check.status is CheckStatus.PASSED else student_safe(check.message,
                                                                          report.submission)
        if said or stated:
            test["message"] = _sentences(said, stated)
        tests.append(test)
    if not tests:
        tests.append({"name": _("notebook could be graded"), "status": "error", "score": 0,
                      "message": _sentences(reason(report) or _("the submission could not be graded"),
                                            stated),
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


def _isolation_stated(report: GradeReport) -> str:
    """"Isolation: bubblewrap sandbox"; when weaker, the reason after it (what that means)."""
    if report.isolation is None or report.isolation is Isolation.BUBBLEWRAP or not report.reason:
        return isolation_line(report)
    return _("{isolation}; {reason}").format(isolation=isolation_line(report), reason=reason(report))


def _sentences(*texts: str) -> str:
    """The texts given on one line; where there are several, each ends with a full stop."""
    given = [text for text in texts if text]
    if len(given) == 1:
        return given[0]
    return " ".join(text if text.endswith((".", "!", "?", "。")) else f"{text}." for text in given)


def render(report: GradeReport) -> str:
    return printable(json.dumps(to_data(report), indent=2, ensure_ascii=False), keep_newlines=True)

