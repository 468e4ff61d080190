"""Our own full report as JSON: everything in the GradeReport, instructor details included."""

from __future__ import annotations

import dataclasses
import json
from enum import Enum
from typing import Any

from grader.results import GradeReport


def to_data(report: GradeReport) -> dict[str, Any]:
    data = _plain(dataclasses.asdict(report))
    data["score"] = report.score
    data["max_score"] = report.max_score
    return data


def render(report: GradeReport) -> str:
    return json.dumps(to_data(report), indent=2, ensure_ascii=False)


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, float):
        return round(value, 4)
    return value
