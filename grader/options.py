"""What a grading is asked to do: the options, the limits of a notebook's run, and the sandbox.

Each option and its default is written here once; the stages take these values and read no
environment. Light to import (no torch, no jupyter_client): the command line builds these, and
can start a kernel, before it imports the pipeline. `grader.execute` imports from here, never the
other way round.
"""

from __future__ import annotations

import resource
from dataclasses import dataclass, field, replace
from pathlib import Path

from grader.submission.course import Course, default_course

GiB = 1024**3
# The address space of a batch's grading worker (its soft limit): what the student's kernel sends
# is bounded before it is decoded, and this bounds whatever else a reply could make it build.
GRADING_PROCESS_MEMORY = 6 * GiB


@dataclass(frozen=True)
class ExecutionLimits:
    """How long a notebook may run, and how often its kernel may be replaced."""

    cell_timeout: float = 60.0  # seconds per cell
    notebook_budget: float = 300.0  # seconds for the whole notebook
    submission_budget: float = 600.0  # seconds for it all, cells and checks: then calls fail
    max_restarts: int = 2  # fresh kernels after one was killed or died
    interrupt_grace: float = 3.0  # seconds an interrupted cell has to stop before the kernel goes


@dataclass(frozen=True)
class SandboxPolicy:
    """What confines a student's kernel (see `grader.execute.sandbox`)."""

    memory_limit: int = 4 * GiB  # bytes of address space
    max_processes: int = 64
    use_bubblewrap: bool | None = None  # None: when it works; False: never; True: or fail
    hidden: tuple[Path, ...] = ()  # folders to hide even where visible (course, grader)
    threads: int = 1  # OMP/MKL threads in the kernel (one: several kernels share few cores)


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


def limit_grading_memory() -> None:
    """Cap this grading process's address space at GRADING_PROCESS_MEMORY (its soft limit)."""
    hard = resource.getrlimit(resource.RLIMIT_AS)[1]
    soft = GRADING_PROCESS_MEMORY
    if hard != resource.RLIM_INFINITY:
        soft = min(hard, soft)
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
