"""What a grading is asked to do: the options, and the sandbox they call for.

Light to import (no torch): the command line builds these, and can start a kernel, before it
imports the pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from grader.submission.course import Course, default_course
from grader.execute.run import ExecutionLimits
from grader.execute.sandbox import SandboxPolicy


@dataclass(frozen=True)
class GradeOptions:
    course: Course = field(default_factory=default_course)
    assignment: str | None = None  # used when neither metadata nor file name names one
    limits: ExecutionLimits = field(default_factory=ExecutionLimits)
    policy: SandboxPolicy = field(default_factory=SandboxPolicy)
    data_dir: Path | None = None  # Fashion-MNIST files; None: the bundled digits
    public_only: bool = False
    call_timeout: float = 30.0
    seed: int = 0


def sandbox_policy(options: GradeOptions) -> SandboxPolicy:
    """The sandbox a submission runs in: the options' policy with the course's folders hidden."""
    return replace(options.policy, hidden=options.policy.hidden + options.course.private_paths)
