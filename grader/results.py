"""The data that flows out of grading: check results, the report for one submission, a batch's
rows, and the report's dict form (the JSON format and the state folder's files) with its inverse.

Frozen values with no knowledge of any output format; reporters turn them into text. This
module imports only `grader.i18n` (the words of statuses in the run's language), so every stage
and every reporter can import it.
`ungradable_report` is the one place a "could not grade" report is made.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from grader.i18n import N_, _


class CheckStatus(str, Enum):
    PASSED = "passed"
    FAILED = "failed"  # the student's answer was wrong, raised, or did not return in time
    ERROR = "error"  # the check itself could not run (a grader or kernel problem)


class GradeStatus(str, Enum):
    GRADED = "graded"  # checks ran (whatever the score)
    UNGRADABLE = "ungradable"  # malformed file, unknown assignment: no check could run


class Isolation(str, Enum):
    """What confined the student's kernel (see `grader.execute.sandbox`), strongest first."""

    BUBBLEWRAP = "bubblewrap"  # namespaces: no network, private /tmp, hidden course files
    UNPRIVILEGED_USER = "unprivileged-user"  # no namespaces: a uid of its own, course closed to it
    RLIMITS = "rlimits"  # resource limits only, as the grader's own user: not isolated

    @property
    def words(self) -> str:
        """The isolation as a person reads it, in the run's language."""
        return _(_ISOLATION_WORDS[self])


_ISOLATION_WORDS = {
    Isolation.BUBBLEWRAP: N_("bubblewrap sandbox"),
    Isolation.UNPRIVILEGED_USER: N_("unprivileged user, no sandbox"),
    Isolation.RLIMITS: N_("resource limits only, NOT isolated"),
}


class CellStatus(str, Enum):
    """How one code cell of the notebook ended. The values are the JSON format's tokens (a
    member equals its token: `CellStatus.OK == "ok"`); `words` is what a student reads."""

    OK = "ok"
    ERROR = "error"  # the cell raised; the next cell still runs
    TIMEOUT = "timeout"  # over the cell's time limit, interrupted
    TIMEOUT_KILL = "timeout-kill"  # over the limit and deaf to the interrupt: kernel restarted
    SKIPPED = "skipped"  # not run: the notebook's budget was spent, or no kernel was left
    KILLED_KERNEL = "killed-kernel"  # the kernel died while running it

    @property
    def words(self) -> str:
        """How the cell ended, in the run's language."""
        return _(_CELL_WORDS[self])


_CELL_WORDS = {
    CellStatus.OK: N_("ran"),
    CellStatus.ERROR: N_("stopped with an error"),
    CellStatus.TIMEOUT: N_("stopped: took too long (timeout)"),
    CellStatus.TIMEOUT_KILL: N_("stopped: took too long (timeout), and the kernel was restarted"),
    CellStatus.SKIPPED: N_("not run"),
    CellStatus.KILLED_KERNEL: N_("the kernel crashed here"),
}


@dataclass(frozen=True)
class CheckResult:
    name: str  # "softmax: rows sum to one"
    points: float  # what it earned
    max_points: float
    status: CheckStatus
    hidden: bool = False
    message: str = ""  # for the student (hidden checks: no inputs)
    detail: str = ""  # for the instructor: the full message
    duration: float = 0.0  # seconds
    number: str = ""  # "1", "2", ... in the check file's order
    function: str = ""  # the name the check judges: the text before the first ':'


@dataclass(frozen=True)
class CellRecord:
    index: int
    status: CellStatus  # its token ("ok", "timeout-kill", …) is accepted too, and converted
    summary: str = ""  # "ValueError: ..." or why the cell was skipped
    duration: float = 0.0
    number: int = 0  # the code cell's number as Jupyter shows it run from the top (code cells
    #                  counted from 1); `index` counts every cell from 0. 0: not known (older reports)

    def __post_init__(self) -> None:
        """A status given as its token becomes the CellStatus."""
        object.__setattr__(self, "status", CellStatus(self.status))  # frozen: set once, here


@dataclass(frozen=True)
class ExecutionSummary:
    cells: tuple[CellRecord, ...] = ()
    kernel_restarts: int = 0
    duration: float = 0.0
    budget_exhausted: bool = False
    skipped_lines: tuple[str, ...] = ()  # shell escapes and %pip/%conda lines not run


@dataclass(frozen=True)
class GradeReport:
    submission: str  # path as given
    assignment: str | None
    status: GradeStatus
    checks: tuple[CheckResult, ...] = ()
    execution: ExecutionSummary = field(default_factory=ExecutionSummary)
    isolation: Isolation | None = None
    reason: str = ""  # why it could not be graded, or a note on a partial grading
    duration: float = 0.0  # seconds, whole grading
    student: str = ""  # the student id, in a batch
    # (name, text): NOTEBOOK_FINGERPRINT -> the file's SHA-256, and each graded function or
    # class -> its normalised source (grader.submission.fingerprint); for the class page
    fingerprints: tuple[tuple[str, str], ...] = ()
    hidden_points: float = 0.0  # points of the hidden checks left out (--public-only)

    @property
    def score(self) -> float:
        return round(sum(c.points for c in self.checks), 6)

    @property
    def max_score(self) -> float:
        return round(sum(c.max_points for c in self.checks), 6)


NOTEBOOK_FINGERPRINT = "(notebook)"  # the fingerprint named so holds the notebook file's digest


def ungradable_report(submission: str | Path, assignment: str | None, reason: str, *,
                      student: str = "", duration: float = 0.0,
                      checks: tuple[CheckResult, ...] = ()) -> GradeReport:
    """The report of a submission that could not be graded, and why. `reason` is for the
    instructor as written; reporters for students strip paths and internal names from it."""
    return GradeReport(submission=str(submission), assignment=assignment,
                       status=GradeStatus.UNGRADABLE, checks=tuple(checks), reason=reason,
                       duration=duration, student=student)


# -- a batch -----------------------------------------------------------------------------------

class RowStatus(str, Enum):
    """A batch row: the report's status, or the grader's own failure."""

    GRADED = "graded"
    UNGRADABLE = "ungradable"  # the submission: not a notebook, unknown assignment, ...
    ERROR = "error"  # the grader: no kernel could start, an internal error (retried next run)
    NOT_RUN = "not run"  # the batch was interrupted before it was graded


@dataclass(frozen=True)
class Outcome:
    """One submission's row in a batch."""

    student: str  # the id the batch layout gives
    path: Path  # the notebook as found
    report: GradeReport
    status: RowStatus
    cached: bool = False  # taken from the state folder, not graded in this run


@dataclass(frozen=True)
class BatchResult:
    outcomes: tuple[Outcome, ...]
    interrupted: bool = False
    duration: float = 0.0
    version: str = ""

    @property
    def graded_now(self) -> int:
        return sum(1 for o in self.outcomes if not o.cached and o.status is not RowStatus.NOT_RUN)

    @property
    def cached(self) -> int:
        return sum(1 for o in self.outcomes if o.cached)


# -- the dict form -----------------------------------------------------------------------------

def to_dict(report: GradeReport) -> dict[str, Any]:
    """Plain JSON data: every field (enums as their values, floats to 4 places), plus the
    score and the maximum. `report_from_dict` reads it back. `fingerprints` appears only when
    there are some (the format of reports made before it existed)."""
    data = _plain(dataclasses.asdict(report))
    for optional in ("fingerprints", "hidden_points"):  # absent from reports made before them
        if not data[optional]:
            del data[optional]
    data["score"] = report.score
    data["max_score"] = report.max_score
    return data


def report_from_dict(data: dict[str, Any]) -> GradeReport:
    """The inverse of `to_dict` (durations come back rounded as it rounds them); raises
    KeyError, TypeError or ValueError on data of another shape."""
    execution = data.get("execution") or {}
    return GradeReport(
        submission=data["submission"], assignment=data.get("assignment"),
        status=GradeStatus(data["status"]),
        checks=tuple(
            CheckResult(**{**check, "status": CheckStatus(check["status"])})
            for check in data.get("checks", ())
        ),
        execution=ExecutionSummary(
            cells=tuple(CellRecord(**cell) for cell in execution.get("cells", ())),
            kernel_restarts=execution.get("kernel_restarts", 0),
            duration=execution.get("duration", 0.0),
            budget_exhausted=execution.get("budget_exhausted", False),
            skipped_lines=tuple(execution.get("skipped_lines", ())),
        ),
        isolation=Isolation(data["isolation"]) if data.get("isolation") else None,
        reason=data.get("reason", ""), duration=data.get("duration", 0.0),
        student=data.get("student", ""),
        fingerprints=tuple((str(name), str(text)) for name, text in data.get("fingerprints", ())),
        hidden_points=float(data.get("hidden_points", 0.0)),
    )


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
