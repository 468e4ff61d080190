"""Our own full report as JSON: everything in the GradeReport, instructor details included.

The dict form lives beside the data (`grader.results.to_dict`), since the state folder reads
it back too; this module only prints it."""

from __future__ import annotations

import json

from grader.results import GradeReport, to_dict


def render(report: GradeReport) -> str:
    return json.dumps(to_dict(report), indent=2, ensure_ascii=False)
