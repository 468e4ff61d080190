"""Reporters: one small module per output format, each seeing only finished reports
(`grader.results`), never the stages that made them.

`FORMATS` names the formats of one report (`grade --format NAME`); the batch outputs
(csv_gradebook, feedback, summary, class_page) take a batch's rows and are imported by name.
Text a student reads goes through `text.student_safe`.
"""

from __future__ import annotations

from typing import Callable

from grader.reporters import classroom, gradescope, json_report, table
from grader.results import GradeReport

FORMATS: dict[str, Callable[[GradeReport], str]] = {
    "classroom": classroom.render,
    "gradescope": gradescope.render,
    "json": json_report.render,
    "table": table.render,
}
