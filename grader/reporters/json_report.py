"""Our own full report as JSON: everything in the GradeReport, instructor details included.

The dict form lives beside the data (`grader.results.to_dict`), since the state folder reads
it back too; this module only prints it, with control characters, bidirectional overrides and
workflow commands escaped as JSON escapes (`text.printable`): the same data, safe on a terminal."""

from __future__ import annotations

import json

from grader.reporters.text import printable
from grader.results import GradeReport, to_dict


def render(report: GradeReport) -> str:
    return printable(json.dumps(to_dict(report), indent=2, ensure_ascii=False), keep_newlines=True)
