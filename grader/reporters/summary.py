"""The batch summary as JSON: counts, per-assignment statistics and one entry per submission."""

from __future__ import annotations

import json
import statistics
from typing import Any

from grader.reporters.class_page import by_assignment, pass_rates
from grader.reporters.text import printable
from grader.results import BatchResult, RowStatus


def to_data(result: BatchResult) -> dict[str, Any]:
    counts: dict[str, int] = {status.value: 0 for status in RowStatus}
    for outcome in result.outcomes:
        counts[outcome.status.value] += 1
    assignments = {}
    for assignment, own in by_assignment(result.outcomes).items():
        scores = [o.report.score for o in own if o.status is RowStatus.GRADED]
        assignments[assignment] = {
            "submissions": len(own), "graded": len(scores),
            "max_score": max((o.report.max_score for o in own), default=0.0),
            "mean": round(statistics.fmean(scores), 4) if scores else None,
            "median": statistics.median(scores) if scores else None,
            "pass_rates": {name: round(p / n, 4) if n else None
                           for name, (p, n) in pass_rates(own).items()},
        }
    return {
        "grader_version": result.version,
        "interrupted": result.interrupted,
        "duration": round(result.duration, 2),
        "counts": counts,
        "graded_now": result.graded_now,
        "from_cache": result.cached,
        "assignments": assignments,
        "submissions": [
            {"student": o.student, "assignment": o.report.assignment, "submission": o.report.submission,
             "status": o.status.value, "score": o.report.score, "max_score": o.report.max_score,
             "isolation": o.report.isolation.value if o.report.isolation is not None else None,
             "reason": o.report.reason, "cached": o.cached, "duration": round(o.report.duration, 2)}
            for o in result.outcomes
        ],
    }


def render(result: BatchResult) -> str:
    return printable(json.dumps(to_data(result), indent=2, ensure_ascii=False), keep_newlines=True)
