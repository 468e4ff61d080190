"""What every reporter writes the same way: points, file names, and text made safe for students.

Reports carry what the grader knows, written for the instructor: a reason may hold the path of
the notebook on the grading machine ("/home/grader/in/x.ipynb: not valid JSON"), the class of a
grader error ("the grader failed: RuntimeError: …") or a module's name. `student_safe` keeps the
meaning and drops those: paths become file names, grader error classes and `grader.…` modules
go. Only the student's own errors keep their class ("softmax(X) raised ValueError: …", a cell's
"ZeroDivisionError: division by zero"): that is their code talking, and the words they need.
"""

from __future__ import annotations

import re
from pathlib import PurePath

from grader.results import CellRecord, CellStatus, GradeReport

# An absolute path of at least two parts, not inside a word or a fraction ("1/2", "and/or").
_PATH = re.compile(r"(?<![\w./~-])~?/(?:[\w.@+~-]+/)+[\w.@+~-]*")
_MODULE = re.compile(r"\s*\(grader(?:\.\w+)+\)|\bgrader(?:\.\w+)+")
_ERROR_SUFFIX = r"(?:Error|Exception|Problem|Failure|Warning|Exit|Interrupt|Unavailable|Failed)"
# A class name: CamelCase ending like an exception's, or any CamelCase word of two humps or
# more when it leads a message ("NotebookTooOld: …"); "raised X" is the student's own error.
_CLASS = (r"(?<!raised )\b(?:[A-Za-z_]\w*\.)*(?:[A-Z][A-Za-z0-9]*" + _ERROR_SUFFIX
          + r"|[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+(?=:))\b")
_CLASS_IN_PARENTHESES = re.compile(r"\s*\(" + _CLASS + r"\)")
_CLASS_LEADING_A_MESSAGE = re.compile(_CLASS + r":\s*")
_CLASS_ALONE = re.compile(_CLASS)


def number(value: float) -> int | float:
    """Points for JSON: an int when whole (17, not 17.0), else rounded to 6 places."""
    value = round(float(value), 6)
    return int(value) if value.is_integer() else value


def points(value: float) -> str:
    """Points for text: "17", "1.5"."""
    return str(number(value))


def file_name(path: str) -> str:
    """The last part of a path ("" stays "")."""
    return PurePath(path).name if path else ""


def without_paths(text: str, submission: str = "") -> str:
    """`text` with the submission's path, and any other absolute path, cut to the file name."""
    if submission and submission != file_name(submission):
        text = text.replace(submission, file_name(submission))
    return _PATH.sub(lambda match: file_name(match.group()), text)


def student_safe(text: str, submission: str = "") -> str:
    """Text the grader wrote (a reason, a check's message), fit for a student: no path of the
    grading machine, no grader module, no error class name except the student's own."""
    text = _CLASS_IN_PARENTHESES.sub("", without_paths(text, submission))
    text = _CLASS_LEADING_A_MESSAGE.sub("", text)
    text = _CLASS_ALONE.sub("an error", text)
    text = _MODULE.sub("", text)
    return re.sub(r"\s{2,}", " ", text).strip()


def reason(report: GradeReport) -> str:
    """The report's reason, for a student."""
    return student_safe(report.reason, report.submission)


def cell_note(cell: CellRecord, submission: str = "") -> str:
    """One line on a cell that did not simply run: "Cell 4: stopped: took too long (…)".
    The summary of a cell that raised is the student's own error, shown as Jupyter showed it."""
    summary = without_paths(cell.summary, submission)
    if cell.status is not CellStatus.ERROR:
        summary = student_safe(summary)
    return f"Cell {cell.index + 1}: {cell.status.words}" + (f" ({summary})" if summary else "")


def cells_to_note(report: GradeReport) -> list[str]:
    """A note for each cell that did not run cleanly, in order."""
    return [cell_note(cell, report.submission) for cell in report.execution.cells
            if cell.status is not CellStatus.OK]
