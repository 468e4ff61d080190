"""What a grading is asked to do: the options, the limits of a notebook's run, and the sandbox.

Each option and its default is written here once; the stages take these values and read no
environment. Light to import (no torch, no jupyter_client): the command line builds these, and
can start a kernel, before it imports the pipeline. `grader.execute` imports from here, never the
other way round.
"""

from __future__ import annotations

import os
import resource
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Mapping

from grader.i18n import ENGLISH
from grader.submission.course import KIT_MARKER, Course, default_course
from grader.submission.course_settings import DEFAULT_KERNEL_PRELOAD

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
    # may a kernel run unisolated (resource limits only, as the grader's user)? Only on
    # --no-sandbox, or for a course without secrets (`course_secrets`); else it is refused
    allow_unisolated: bool = False
    kernel_paths: tuple[Path, ...] = ()  # course folders the kernel imports from, read-only (d2l)
    kernel_preload: tuple[str, ...] = DEFAULT_KERNEL_PRELOAD  # what a warm kernel's fork server imports ahead


@dataclass(frozen=True)
class GradeOptions:
    course: Course = field(default_factory=default_course)
    assignment: str | None = None  # used when neither metadata nor file name names one
    limits: ExecutionLimits = field(default_factory=ExecutionLimits)
    policy: SandboxPolicy = field(default_factory=SandboxPolicy)
    data_dir: Path | None = None  # a data folder for the course's fixtures (`data_dir`); None: theirs
    public_only: bool = False
    call_timeout: float = 30.0
    seed: int | None = None  # None: the run's own (`grader.checking.seeds.run_seed`)
    secret: str = field(default="", repr=False)  # the course secret the final seed derives from (GRADER_SECRET)
    language: str = ENGLISH  # of every message a student reads (`grader.i18n`): "en", "ko"


def sandbox_policy(options: GradeOptions) -> SandboxPolicy:
    """The sandbox a submission runs in: the options' policy with the course's folders hidden,
    allowed to run unisolated on --no-sandbox (`use_bubblewrap=False`) or where the course holds
    no secrets, the course's kernel folders (its `d2l`) on the kernel's sys.path, and the modules
its warm kernels import ahead (`[kernel] preload`)."""
    unisolated = options.policy.use_bubblewrap is False or not course_secrets(options)
    return replace(options.policy, hidden=options.policy.hidden + options.course.private_paths,
                   allow_unisolated=options.policy.allow_unisolated or unisolated,
                   kernel_paths=options.policy.kernel_paths + options.course.kernel_paths,
                   kernel_preload=options.course.kernel_preload)


def course_secrets(options: GradeOptions) -> tuple[str, ...]:
    """What a notebook must not reach in this grading: the solutions and hidden checks of every
    folder of the course that is not a student kit (a kit holds public checks and recorded
    answers, all of it the student's already). Empty for a student's run with a kit only."""
    if all((folder / KIT_MARKER).is_file() for folder in options.course.folders):
        return ()
    hidden = () if options.public_only else ("hidden checks",)
    return ("solutions", *hidden, "the checks' validation data")


def judged_by_this_install(options: GradeOptions) -> GradeOptions:
    """The options as this install can honour them: a course made only of student kits (the
    grader installed from a wheel, or a student's kit) holds no hidden checks, so it grades the
    public checks only and scores out of their points, instead of failing what it cannot run."""
    if options.public_only or not options.course.folders or not all(
            (folder / KIT_MARKER).is_file() for folder in options.course.folders):
        return options
    return replace(options, public_only=True)


def limit_grading_memory() -> None:
    """Cap this grading process's address space at GRADING_PROCESS_MEMORY (its soft limit)."""
    hard = resource.getrlimit(resource.RLIMIT_AS)[1]
    soft = GRADING_PROCESS_MEMORY
    if hard != resource.RLIM_INFINITY:
        soft = min(hard, soft)
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


SECRET_ENV = "GRADER_SECRET"


def with_secret(options: GradeOptions, environ: Mapping[str, str] | None = None) -> GradeOptions:
    """`options` with the course secret of the command's environment ($GRADER_SECRET), read once
    at the command's edge and carried in the options, so that a batch's workers (Dask's too)
    draw the same final seed without the variable (`grader.checking.seeds`)."""
    environ = os.environ if environ is None else environ
    return replace(options, secret=options.secret or environ.get(SECRET_ENV, ""))
