"""Errors the grader raises, each with the exit status the command line returns for it.

    GraderError                      (exit 1, internal)
    ├── UsageError                   (exit 2)   bad command-line arguments
    ├── SubmissionError                         the file given cannot be graded
    │   ├── NotebookNotFound         (exit 3)   no such file, or not a file
    │   ├── NotebookUnreadable       (exit 4)   not UTF-8 text or not valid JSON
    │   ├── NotANotebook             (exit 5)   JSON, but not a valid notebook
    │   └── NotebookTooOld           (exit 6)   nbformat older than 4
    ├── AssignmentError
    │   ├── UnknownAssignment        (exit 7)   no checks for that assignment id
    │   └── AuthoringError           (exit 9)   a solution notebook is malformed
    ├── DatasetError                 (exit 10)  the image data cannot be loaded (--data)
    └── EnvironmentProblem           (exit 8)   the kernel or sandbox could not start

A student's failing, looping or crashing code is never an error here: it is a value in the
report (see `grader.results`).
"""

from __future__ import annotations

from enum import IntEnum
from pathlib import Path


class ExitStatus(IntEnum):
    GRADED = 0
    INTERNAL_ERROR = 1
    USAGE = 2
    NOTEBOOK_NOT_FOUND = 3
    NOTEBOOK_UNREADABLE = 4
    NOT_A_NOTEBOOK = 5
    NOTEBOOK_TOO_OLD = 6
    UNKNOWN_ASSIGNMENT = 7
    ENVIRONMENT = 8
    AUTHORING = 9
    DATASET = 10
    INTERRUPTED = 130


class GraderError(Exception):
    """Root of the grader's errors; `str(error)` is the one line shown to the user."""

    exit_status = ExitStatus.INTERNAL_ERROR


class UsageError(GraderError):
    exit_status = ExitStatus.USAGE


class SubmissionError(GraderError):
    """The submitted file cannot be graded at all."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


class NotebookNotFound(SubmissionError):
    exit_status = ExitStatus.NOTEBOOK_NOT_FOUND


class NotebookUnreadable(SubmissionError):
    exit_status = ExitStatus.NOTEBOOK_UNREADABLE


class NotANotebook(SubmissionError):
    exit_status = ExitStatus.NOT_A_NOTEBOOK


class NotebookTooOld(SubmissionError):
    exit_status = ExitStatus.NOTEBOOK_TOO_OLD


class AssignmentError(GraderError):
    pass


class UnknownAssignment(AssignmentError):
    exit_status = ExitStatus.UNKNOWN_ASSIGNMENT

    def __init__(self, assignment_id: str | None, known: list[str], hint: str = "") -> None:
        shown = ", ".join(known) or "none"
        what = f"unknown assignment {assignment_id!r}" if assignment_id else "no assignment id"
        super().__init__(f"{what}{hint}; known assignments: {shown}")
        self.assignment_id = assignment_id
        self.known = known


class AuthoringError(AssignmentError):
    exit_status = ExitStatus.AUTHORING

    def __init__(self, path: Path | str, line: int, problem: str) -> None:
        super().__init__(f"{path}: line {line}: {problem}")
        self.path = path
        self.line = line
        self.problem = problem


class DatasetError(GraderError):
    """An image data set cannot be loaded: a file is missing, unreadable or malformed."""

    exit_status = ExitStatus.DATASET

    def __init__(self, path: Path | str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


class EnvironmentProblem(GraderError):
    """The grading machine, not the submission, is at fault (no kernel, no sandbox)."""

    exit_status = ExitStatus.ENVIRONMENT
