"""One submission, end to end: read, execute, check, score. The only conductor.

    notebook -> execute (sandboxed kernel) -> student (calls into it) -> checks (pytest) -> report

Only this module knows every stage; the commands and the batch call it. Read `grade_notebook`
to learn how one notebook is graded. Importing this module is light (no torch): the checks'
heavy imports wait until the notebook has run, or load beside it (`preload_checks`).

A submission that cannot be graded still yields a report that says why (`grade_or_explain`,
`explain`), in words a student may read (`student_reason`).
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Callable

from grader.checking.reference import load_reference
from grader.checking.student import Student
from grader.errors import (AuthoringError, GraderError, NotebookNotFound, SubmissionError,
                           UnknownAssignment)
from grader.execute.kernel import Kernel, start_kernel
from grader.execute.run import execute_notebook
from grader.execute.sandbox import isolation_for
from grader.options import GradeOptions, SandboxPolicy, sandbox_policy
from grader.results import CheckResult, GradeReport, GradeStatus, ungradable_report
from grader.submission.course import Assignment, mismatch_note
from grader.submission.notebook import Submission, load_notebook

KernelStarter = Callable[[SandboxPolicy], Kernel]

KERNEL_LOST = "the notebook's kernel could not be kept alive; checks that need it got no credit"


def grade_notebook(path: Path, options: GradeOptions) -> GradeReport:
    """Grade one notebook as fast as one can: its kernel starts first, and the checks' heavy
    imports (torch, pytest) load in a thread while the notebook runs, so the two overlap
    instead of adding up. Raises GraderError when it cannot be graded at all."""
    started = time.monotonic()
    submission = load_notebook(path)  # a file that cannot be graded says so before any kernel
    assignment = _assignment_of(submission, options)  # ... and so does an unknown assignment
    policy = sandbox_policy(options)
    early = [start_kernel(policy)]
    threading.Thread(target=preload_checks, daemon=True).start()  # beside the notebook's run

    def kernels(asked: SandboxPolicy) -> Kernel:
        return early.pop() if early and asked == policy else start_kernel(asked)

    try:
        return _grade(submission, assignment, options, kernels, started)
    finally:
        for kernel in early:  # not used: the grading stopped before it ran the notebook
            kernel.close()


def grade(path: Path, options: GradeOptions, kernels: KernelStarter = start_kernel) -> GradeReport:
    """Grade one notebook; raises GraderError when it cannot be graded at all.

    `kernels` starts one sandboxed kernel for a policy (a warm pool can stand in for it)."""
    started = time.monotonic()
    submission = load_notebook(path)
    return _grade(submission, _assignment_of(submission, options), options, kernels, started)


def grade_or_explain(path: Path, options: GradeOptions,
                     kernels: KernelStarter = start_kernel) -> GradeReport:
    """Like `grade`, but a submission that cannot be graded becomes a report with the reason.

    Only the submission's faults are explained; the grader's own (no kernel, broken checks)
    still raise, so that a batch can tell the two apart."""
    started = time.monotonic()
    try:
        return grade(path, options, kernels)
    except (SubmissionError, UnknownAssignment) as error:
        return explain(path, options, error, duration=time.monotonic() - started)


def explain(path: Path, options: GradeOptions, error: BaseException,
            duration: float = 0.0) -> GradeReport:
    """The report of a notebook that could not be graded because of `error`. When the
    submission is at fault, it lists every check of its assignment at no points."""
    assignment = _assignment_guess(path, options)
    reason = student_reason(error)
    checks: tuple[CheckResult, ...] = ()
    if assignment is not None and isinstance(error, (SubmissionError, UnknownAssignment)):
        try:
            checks = unrun_checks(assignment, options, reason)
        except Exception:  # noqa: BLE001 - the list of checks is a courtesy; the reason stands
            checks = ()
    return ungradable_report(path, assignment.id if assignment else None, reason,
                             duration=duration, checks=checks)


def report_without_notebook(submission: Path, options: GradeOptions, reason: str) -> GradeReport:
    """The report of a submission that holds no notebook: every check of the assignment asked
    for (`options.assignment`), at no points, with `reason`."""
    return explain(submission, options, NotebookNotFound(submission, reason))


def unrun_checks(assignment: Assignment, options: GradeOptions,
                 reason: str) -> tuple[CheckResult, ...]:
    """Every check of `assignment`, at no points, each with `reason` (no kernel is started)."""
    return tuple(_run(assignment, None, options, unavailable=reason))


def student_reason(error: BaseException) -> str:
    """Why a submission was not graded, in words a student may read: no path of the grading
    machine, no exception class."""
    if isinstance(error, (SubmissionError, UnknownAssignment)):
        return error.problem
    if isinstance(error, AuthoringError):
        return f"the grader failed: this assignment's checks or solution are broken ({error.problem})"
    if isinstance(error, GraderError):
        return f"the grader failed: {error.problem}"
    return "the grader failed (an internal error); your instructor can rerun it"


def preload_checks() -> None:
    """Import what the checks need (torch, pytest, …); run it in a thread while a notebook runs."""
    import grader.checking.datasets  # noqa: F401
    import grader.checking.plugin  # noqa: F401


def _grade(submission: Submission, assignment: Assignment, options: GradeOptions,
           kernels: KernelStarter, started: float) -> GradeReport:
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
    notes = [mismatch_note(submission.declared_assignment, assignment),
             KERNEL_LOST if kernel is None else ""]
    return GradeReport(
        submission=str(submission.path), assignment=assignment.id, status=GradeStatus.GRADED,
        checks=tuple(results), execution=execution.summary, isolation=isolation_for(policy),
        reason="; ".join(note for note in notes if note), duration=time.monotonic() - started,
    )


def _run(assignment: Assignment, student: Student | None, options: GradeOptions,
         unavailable: str = "") -> list[CheckResult]:
    # Imported here, not at the top: they bring torch and pytest, which a caller may still be
    # importing in another thread while the notebook runs (see `preload_checks`).
    from grader.checking.datasets import load_image_data
    from grader.checking.plugin import GradingPlugin, run_checks

    plugin = GradingPlugin(
        student, load_reference(assignment.solution), lambda: load_image_data(options.data_dir),
        seed=options.seed, public_only=options.public_only, unavailable=unavailable,
    )
    return run_checks(assignment.checks, plugin)


def _assignment_of(submission: Submission, options: GradeOptions) -> Assignment:
    return options.course.assignment_for(options.assignment,
                                         declared=submission.declared_assignment,
                                         file_stem=submission.path.stem)


def _assignment_guess(path: Path, options: GradeOptions) -> Assignment | None:
    """The assignment of a notebook that could not be read: the one asked for, or its name's."""
    try:
        return options.course.assignment_for(options.assignment, file_stem=path.stem)
    except UnknownAssignment:
        return None
