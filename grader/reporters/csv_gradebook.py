"""The per-check CSV (`grade --csv`): one row per submission, one column of points per check.
(One row per student, a total per assignment: `gradebook`.)

    student, assignment, submission, <check 1>, <check 2>, …, total, maximum, status, isolation, reason

`isolation` is the token of what confined the kernel (bubblewrap, unprivileged-user, rlimits;
empty where none ran); when it is not bubblewrap, `reason` says what that means.

With several assignments in one batch, a check's column is named `<assignment>: <check>`.
Text that a spreadsheet would run as a formula (a leading =, +, -, @) is quoted with a '.
"""

from __future__ import annotations

import csv
import io
from typing import Sequence

from grader.reporters.gradebook import spreadsheet_safe as _safe
from grader.reporters.text import points, printable
from grader.results import Outcome


def columns(outcomes: Sequence[Outcome]) -> list[tuple[str | None, str]]:
    """(assignment, check name) for every check column, in first-seen order."""
    seen: dict[tuple[str | None, str], None] = {}
    for outcome in outcomes:
        for check in outcome.report.checks:
            seen.setdefault((outcome.report.assignment, check.name), None)
    return list(seen)


def render(outcomes: Sequence[Outcome]) -> str:
    checks = columns(outcomes)
    several = len({assignment for assignment, _ in checks}) > 1
    header = ["student", "assignment", "submission"]
    header += [f"{a}: {name}" if several else name for a, name in checks]
    header += ["total", "maximum", "status", "isolation", "reason"]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([_safe(h) for h in header])
    for outcome in outcomes:
        report = outcome.report
        earned = {(report.assignment, c.name): c.points for c in report.checks}
        row = [_safe(outcome.student), report.assignment or "", _safe(report.submission)]
        row += [points(earned[key]) if key in earned else "" for key in checks]
        row += [points(report.score), points(report.max_score), outcome.status.value,
                report.isolation.value if report.isolation is not None else "", _safe(report.reason)]
        writer.writerow(row)
    return printable(buffer.getvalue(), keep_newlines=True)  # no control reaches the file

