"""The data that flows out of grading: check results and the report for one submission.

Frozen values with no knowledge of any output format; reporters turn them into text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class CheckStatus(str, Enum):
    PASSED = "passed"
    FAILED = "failed"  # the student's answer was wrong, raised, or did not return in time
    ERROR = "error"  # the check itself could not run (a grader or kernel problem)


class GradeStatus(str, Enum):
    GRADED = "graded"  # checks ran (whatever the score)
    UNGRADABLE = "ungradable"  # malformed file, unknown assignment: no check could run


class Isolation(str, Enum):
    BUBBLEWRAP = "bubblewrap"  # namespaces: no network, private /tmp, hidden course files
    RLIMITS = "rlimits"  # resource limits and a process group only


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
    status: str  # "ok", "error", "timeout", "skipped", "killed-kernel"
    summary: str = ""  # "ValueError: ..." or the skipped shell lines
    duration: float = 0.0


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

    @property
    def score(self) -> float:
        return round(sum(c.points for c in self.checks), 6)

    @property
    def max_score(self) -> float:
        return round(sum(c.max_points for c in self.checks), 6)
