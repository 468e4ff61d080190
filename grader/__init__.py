"""An autograder for Dive into Deep Learning notebooks.

Student code runs only in a sandboxed kernel; checks run here, on plain data that came back.
The folders follow the flow: submission -> execute (in_sandbox) -> checking -> results ->
reporters; `pipeline` conducts one notebook, `batch` many, `commands` are the console scripts.

The names below are the public surface for Python callers. They are imported on first use, so
`import grader` (and `import grader.commands.grade`) stays light until grading starts.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "Assignment": "grader.submission.course",
    "CheckResult": "grader.results",
    "CheckStatus": "grader.results",
    "Course": "grader.submission.course",
    "ExitStatus": "grader.errors",
    "GradeOptions": "grader.options",
    "GradeReport": "grader.results",
    "GradeStatus": "grader.results",
    "GraderError": "grader.errors",
    "Isolation": "grader.results",
    "grade": "grader.pipeline",
    "grade_notebook": "grader.pipeline",
    "grade_or_explain": "grader.pipeline",
}

__all__ = [
    "Assignment",
    "CheckResult",
    "CheckStatus",
    "Course",
    "ExitStatus",
    "GradeOptions",
    "GradeReport",
    "GradeStatus",
    "GraderError",
    "Isolation",
    "grade",
    "grade_notebook",
    "grade_or_explain",
]


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'grader' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
