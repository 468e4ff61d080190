"""An autograder for Dive into Deep Learning notebooks.

Student code runs only in a sandboxed kernel; checks run here, on plain data that came back.
"""

from grader.course import Assignment, Course
from grader.errors import ExitStatus, GraderError
from grader.pipeline import GradeOptions, grade, grade_or_explain
from grader.report import CheckResult, CheckStatus, GradeReport, GradeStatus, Isolation

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
    "grade_or_explain",
]
