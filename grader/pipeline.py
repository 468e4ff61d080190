"""One submission, end to end: read, execute, check, score.

    notebook -> execute (sandboxed kernel) -> student (calls into it) -> checks (pytest) -> report

Only this module and the command line know every stage. Importing it is light (no torch): the
checks' heavy imports wait until the notebook has run, or load beside it (`preload_checks`). A submission that cannot be graded
still yields a report that says why (`grade_or_explain`).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

from grader.submission.course import Assignment
from grader.errors import AssignmentError, SubmissionError
from grader.execute.run import execute_notebook
from grader.execute.kernel import Kernel, start_kernel
from grader.options import GradeOptions, sandbox_policy
from grader.submission.notebook import load_notebook
from grader.checking.reference import load_reference
from grader.results import GradeReport, GradeStatus
from grader.execute.sandbox import SandboxPolicy, isolation_for
from grader.checking.student import Student


KernelStarter = Callable[[SandboxPolicy], Kernel]


def grade(path: Path, options: GradeOptions, kernels: KernelStarter = start_kernel) -> GradeReport:
    """Grade one notebook; raises GraderError when it cannot be graded at all.

    `kernels` starts one sandboxed kernel for a policy (a warm pool can stand in for it)."""
    started = time.monotonic()
    submission = load_notebook(path)
    assignment = options.course.resolve(submission.assignment_hint, path.stem, options.assignment)
    policy = sandbox_policy(options)
    execution = execute_notebook(submission.notebook, lambda: kernels(policy),
                                 options.limits, submission.skipped_lines)
    kernel = execution.kernel
    student = None
    try:
        if kernel is not None:
            student = Student(kernel.manager.get_connection_info(), submission.source,
                              call_timeout=options.call_timeout, is_alive=kernel.is_alive)
        results = _run(assignment, student, options)
    finally:
        if student is not None:
            student.close()
        if kernel is not None:
            kernel.close()
    reason = ""
    if kernel is None:
        reason = "the notebook's kernel could not be kept alive; checks that need it got no credit"
    return GradeReport(
        submission=str(path), assignment=assignment.id, status=GradeStatus.GRADED,
        checks=tuple(results), execution=execution.summary, isolation=isolation_for(policy),
        reason=reason, duration=time.monotonic() - started,
    )


def grade_or_explain(path: Path, options: GradeOptions,
                     kernels: KernelStarter = start_kernel) -> GradeReport:
    """Like `grade`, but a submission that cannot be graded becomes a report with the reason."""
    started = time.monotonic()
    try:
        return grade(path, options, kernels)
    except (SubmissionError, AssignmentError) as error:
        assignment = _assignment_guess(path, options)
        results = _run(assignment, None, options, reason=str(error)) if assignment else []
        return GradeReport(
            submission=str(path), assignment=assignment.id if assignment else None,
            status=GradeStatus.UNGRADABLE, checks=tuple(results), reason=str(error),
            duration=time.monotonic() - started,
        )


def _run(assignment: Assignment, student: Student | None, options: GradeOptions,
         reason: str = "") -> list:
    # Imported here, not at the top: they bring torch and pytest, which a caller may still be
    # importing in another thread while the notebook runs (see `preload_checks`).
    from grader.checking.datasets import load_image_data
    from grader.checking.plugin import GradingPlugin, run_checks

    plugin = GradingPlugin(
        student, load_reference(assignment.solution), lambda: load_image_data(options.data_dir),
        seed=options.seed, public_only=options.public_only, unavailable=reason,
    )
    return run_checks(assignment.checks, plugin)


def preload_checks() -> None:
    """Import what the checks need (torch, pytest, …); run it in a thread while a notebook runs."""
    import grader.checking.datasets  # noqa: F401
    import grader.checking.plugin  # noqa: F401


def _assignment_guess(path: Path, options: GradeOptions) -> Assignment | None:
    known = options.course.assignments
    return known.get(path.stem) or known.get(options.assignment or "")
