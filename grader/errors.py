"""Errors the grader raises, each with the exit status the command line returns for it.

    GraderError                      (exit 1, internal)
    ├── UsageError                   (exit 2)   bad command-line arguments
    ├── SubmissionError                         the file given cannot be graded
    │   ├── NotebookNotFound         (exit 3)   no such file, or not a file
    │   ├── NotebookUnreadable       (exit 4)   not UTF-8 text or not valid JSON
    │   ├── NotANotebook             (exit 5)   JSON, but not a valid notebook
    │   └── NotebookTooOld           (exit 6)   nbformat older than 4
    ├── AssignmentError
    │   ├── UnknownAssignment        (exit 7)   no checks or no solution for that assignment id
    │   ├── AuthoringError           (exit 9)   a solution notebook or checks file is malformed
    │   └── AssignmentNotValid       (exit 11)  `grade-admin validate` found problems
    ├── DatasetError                 (exit 10)  the image data cannot be loaded (--data)
    ├── EnvironmentProblem           (exit 8)   the kernel or sandbox could not start
    └── NotIsolated                  (exit 12)  refused: no isolation here, and the course has secrets

`str(error)` is the one line for whoever runs the grader (it may name files of the grading
machine); `error.problem` is the same without those paths, fit for a student's report.

A student's failing, looping or crashing code is never an error here: it is a value in the
report (see `grader.results`).
"""

from __future__ import annotations

from enum import IntEnum
from pathlib import Path

from grader.i18n import N_, _


class ExitStatus(IntEnum):
    """The commands' exit statuses; each description is the line `--help` shows for it."""

    description: str

    def __new__(cls, value: int, description: str) -> ExitStatus:
        member = int.__new__(cls, value)
        member._value_ = value
        member.description = description
        return member

    GRADED = 0, "graded, whatever the score"
    INTERNAL_ERROR = 1, "internal error of the grader (--debug shows where)"
    USAGE = 2, "bad command-line arguments"
    NOTEBOOK_NOT_FOUND = 3, "no such file"
    NOTEBOOK_UNREADABLE = 4, "not UTF-8 text or not valid JSON"
    NOT_A_NOTEBOOK = 5, "JSON, but not a Jupyter notebook"
    NOTEBOOK_TOO_OLD = 6, "notebook format older than 4"
    UNKNOWN_ASSIGNMENT = 7, "unknown assignment (no checks or no solution for it)"
    ENVIRONMENT = 8, "the kernel or sandbox could not start"
    AUTHORING = 9, "a malformed solution notebook or checks file"
    DATASET = 10, "unreadable data files (--data: the D2L course's Fashion-MNIST)"
    NOT_VALID = 11, "grade-admin validate: the assignment does not hold (one line per problem)"
    NOT_ISOLATED = 12, "refused: this machine cannot isolate the notebook from the course's secrets"
    INTERRUPTED = 130, "interrupted (Ctrl-C or kill); a batch keeps what is finished"
    OUTPUT_CLOSED = 141, "whoever read the output stopped early (e.g. | head)"


class GraderError(Exception):
    """Root of the grader's errors; `str(error)` is the one line shown to whoever runs it."""

    exit_status = ExitStatus.INTERNAL_ERROR

    def __init__(self, message: str, problem: str | None = None) -> None:
        super().__init__(message)
        self.problem = message if problem is None else problem  # without the machine's paths


class UsageError(GraderError):
    exit_status = ExitStatus.USAGE


class SubmissionError(GraderError):
    """The submitted file cannot be graded at all."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"{path}: {problem}", problem)
        self.path = path


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
        what = (_("unknown assignment {id}").format(id=repr(assignment_id)) if assignment_id
                else _("no assignment id"))
        if not known:  # e.g. after `pip install .`: the course is not inside the package
            advice = _("; no course found: run from a course folder (solutions/ and checks/) or pass --course DIR")
        else:
            advice = _("; known assignments: {known}").format(known=", ".join(known))
        super().__init__(f"{what}{hint}{advice}")
        self.assignment_id = assignment_id
        self.known = known


class AuthoringError(AssignmentError):
    exit_status = ExitStatus.AUTHORING

    def __init__(self, path: Path | str, line: int, problem: str) -> None:
        where = f"line {line}: " if line else ""
        super().__init__(f"{path}: {where}{problem}", f"{where}{problem}")
        self.path = path
        self.line = line


class AssignmentNotValid(AssignmentError):
    """`grade-admin validate` found problems with an authored assignment (each printed already)."""

    exit_status = ExitStatus.NOT_VALID

    def __init__(self, assignment_id: str, problems: list[str]) -> None:
        count = f"{len(problems)} problem" + ("s" if len(problems) != 1 else "")
        super().__init__(f"{assignment_id} is not valid: {count}")
        self.assignment_id = assignment_id
        self.problems = problems


class DatasetError(GraderError):
    """An image data set cannot be loaded: a file is missing, unreadable or malformed."""

    exit_status = ExitStatus.DATASET

    def __init__(self, path: Path | str, problem: str) -> None:
        super().__init__(f"{path}: {problem}", problem)
        self.path = path


class EnvironmentProblem(GraderError):
    """The grading machine, not the submission, is at fault (no kernel, no sandbox)."""

    exit_status = ExitStatus.ENVIRONMENT


class NotIsolated(GraderError):
    """Refused before any student code runs: neither bubblewrap nor a kernel user of its own can
    keep the notebook from the course's secrets (solutions, hidden checks, validation data).
    The message says why and what to change; nothing is graded and no results file is written."""

    exit_status = ExitStatus.NOT_ISOLATED
    STUDENT_LINE = N_("it refused to run the notebook on a machine where it cannot be isolated "
                      "from the course's solutions; your instructor has been told")

    def __init__(self, message: str) -> None:
        super().__init__(message, _(self.STUDENT_LINE))
