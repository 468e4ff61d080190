"""One submission, end to end: read, execute, check, score. The only conductor.

    notebook -> execute (sandboxed kernel) -> student (calls into it) -> checks (pytest) -> report

Only this module knows every stage; the commands and the batch call it. Read `grade_notebook`
to learn how one notebook is graded. Importing this module is light (no torch): the checks'
heavy imports wait until the notebook has run, or load beside it (`preload_checks`).

A submission that cannot be graded still yields a report that says why (`grade_or_explain`,
`explain`), in words a student may read (`student_reason`).

Whatever confines the kernel, the grading holds three things itself: the course's checks and
solution are read (their digests taken) before the kernel starts and must be unchanged when the
checks run and after the kernel is gone (`CourseFiles`); one wall-clock budget covers the
cells and the checks (`ExecutionLimits.submission_budget`: after it, every call into the kernel
fails at once); and the report names the isolation, with a note when it is not bubblewrap.
"""

from __future__ import annotations

import functools
import hashlib
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, TypeVar

from grader.checking.missing import ExplainsMissing, code_cells
from grader.checking.reference import load_reference
from grader.checking.student import Student
from grader.errors import (AuthoringError, EnvironmentProblem, GraderError, NotebookNotFound,
                           SubmissionError, UnknownAssignment)
from grader.execute.kernel import Kernel, start_kernel
from grader.execute.run import execute_notebook
from grader.execute.sandbox import isolation_for, isolation_note
from grader.i18n import _, speaking
from grader.options import GradeOptions, SandboxPolicy, sandbox_policy
from grader.results import CheckResult, GradeReport, GradeStatus, Isolation, ungradable_report
from grader.submission.course import Assignment, is_helper_file, mismatch_note
from grader.submission.fingerprint import fingerprint_submission
from grader.submission.notebook import Submission, load_notebook

KernelStarter = Callable[[SandboxPolicy], Kernel]
Graded = TypeVar("Graded", bound=Callable[..., Any])


def kernel_lost() -> str:
    return _("the notebook's kernel could not be kept alive; checks that need it got no credit")


def budget_spent(seconds: float) -> str:
    return _("the submission's time budget ({seconds} s for the cells and the checks) was spent; checks "
             "not done by then got no credit").format(seconds=f"{seconds:g}")


def in_options_language(function: Graded) -> Graded:
    """`function(path, options, ...)` speaking `options.language`, with the course's catalogs:
    every message made while it runs (verdicts, reasons, notes) is in that language."""
    @functools.wraps(function)
    def speaking_options(path: Path, options: GradeOptions, *args: Any, **kwargs: Any) -> Any:
        with speaking(options.language, options.course.folders):
            return function(path, options, *args, **kwargs)
    return speaking_options  # type: ignore[return-value]


@dataclass(frozen=True)
class CourseFiles:
    """The digests of an assignment's checks (with their helper files) and solution, taken
    before the student's kernel starts; `verify` raises when any has changed since."""

    digests: tuple[tuple[Path, str], ...]

    @classmethod
    def read(cls, assignment: Assignment) -> CourseFiles:
        helpers = [p for p in sorted(assignment.checks.parent.glob("*.py")) if is_helper_file(p)]
        paths = [assignment.checks, assignment.solution, *helpers]
        return cls(tuple((path, _digest(path)) for path in paths))

    def verify(self) -> None:
        for path, digest in self.digests:
            if _digest(path) != digest:
                raise EnvironmentProblem("the course's checks or solution changed while the "
                                         "notebook ran: nothing was graded")


def _digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "(unreadable)"


@in_options_language
def grade_notebook(path: Path, options: GradeOptions) -> GradeReport:
    """Grade one notebook as fast as one can: its kernel starts first, and the checks' heavy
    imports (torch, pytest) load in a thread while the notebook runs, so the two overlap
    instead of adding up. Raises GraderError when it cannot be graded at all."""
    started = time.monotonic()
    submission = load_notebook(path)  # a file that cannot be graded says so before any kernel
    assignment = _assignment_of(submission, options)  # ... and so does an unknown assignment
    policy = sandbox_policy(options)
    course_files = CourseFiles.read(assignment)  # before any student code runs
    early = [start_kernel(policy)]
    threading.Thread(target=preload_checks, args=(assignment, options),  # beside the notebook
                     daemon=True).start()

    def kernels(asked: SandboxPolicy) -> Kernel:
        return early.pop() if early and asked == policy else start_kernel(asked)

    try:
        return _grade(submission, assignment, options, kernels, started, course_files)
    finally:
        for kernel in early:  # not used: the grading stopped before it ran the notebook
            kernel.close()


@in_options_language
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


@in_options_language
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


def decide_isolation(options: GradeOptions) -> Isolation:
    """The isolation a notebook graded with `options` gets, decided before any of it runs:
    raises NotIsolated where nothing would keep it from the course's secrets."""
    return isolation_for(sandbox_policy(options))


def student_reason(error: BaseException) -> str:
    """Why a submission was not graded, in words a student may read: no path of the grading
    machine, no exception class."""
    if isinstance(error, (SubmissionError, UnknownAssignment)):
        return error.problem
    if isinstance(error, AuthoringError):
        return _("the grader failed: this assignment's checks or solution are broken ({problem})").format(
            problem=error.problem)
    if isinstance(error, GraderError):
        return _("the grader failed: {problem}").format(problem=error.problem)
    return _("the grader failed (an internal error); your instructor can rerun it")


# What checks files import when pytest collects them (`grader.check_tools` brings pandas; its
# source scans bring IPython's input transformer): module names, imported by `preload_checks`.
CHECK_IMPORTS = ("grader.check_tools", "IPython.core.inputtransformer2")


def preload_checks(assignment: Assignment | None = None,
                   options: GradeOptions | None = None) -> None:
    """Load what the checks need (torch, pytest, what checks files import; the reference; what
    the course's fixtures load ahead for this checks file: the D2L course's image data); run it
    in a thread while a notebook runs. What fails here fails again, and is reported, when the
    checks run."""
    import importlib

    from grader.checking.course_modules import make_importable, preload_fixtures
    import grader.checking.plugin  # noqa: F401

    try:
        if options is not None:
            make_importable(options.course.settings)
        for name in CHECK_IMPORTS:
            importlib.import_module(name)
        if assignment is not None:
            load_reference(assignment.solution)
            if options is not None:
                preload_fixtures(options.course.settings, options.data_dir, assignment.checks.read_text())
    except Exception:  # noqa: BLE001 - see above
        pass


def _grade(submission: Submission, assignment: Assignment, options: GradeOptions,
           kernels: KernelStarter, started: float,
           course_files: CourseFiles | None = None) -> GradeReport:
    policy = sandbox_policy(options)
    course_files = course_files or CourseFiles.read(assignment)
    budget = options.limits.submission_budget
    deadline = started + budget
    limits = replace(options.limits, notebook_budget=min(options.limits.notebook_budget,
                                                         max(1.0, deadline - time.monotonic())))
    execution = execute_notebook(submission.notebook, lambda: kernels(policy),
                                 limits, submission.skipped_lines, gpu_on_cpu=submission.asks_for_gpu)
    kernel = execution.kernel
    isolation = kernel.isolation if kernel is not None else isolation_for(policy)
    student = None
    try:
        if kernel is not None:
            student = ExplainsMissing(kernel.manager.get_connection_info(), submission.source,
                                      call_timeout=options.call_timeout,
                                      is_alive=lambda: kernel.is_alive() and time.monotonic() < deadline)
            student.notebook_cells = lambda: code_cells(  # "cell 5 raised SyntaxError", "line 3 of code cell 5"
                submission.notebook, execution.summary.cells)
        course_files.verify()
        results = _run(assignment, student, options)
    finally:
        if student is not None:
            student.close()
        if kernel is not None:
            kernel.close()  # every process of the submission is gone before the report exists
    course_files.verify()
    notes = [mismatch_note(submission.declared_assignment, assignment),
             kernel_lost() if kernel is None else "",
             budget_spent(budget) if time.monotonic() >= deadline else "",
             isolation_note(isolation, policy)]
    return GradeReport(
        submission=str(submission.path), assignment=assignment.id, status=GradeStatus.GRADED,
        checks=tuple(results), execution=execution.summary, isolation=isolation,
        reason="; ".join(note for note in notes if note), duration=time.monotonic() - started,
        hidden_points=getattr(results, "hidden_points", 0.0),
        fingerprints=fingerprint_submission(submission.path, submission.code_cells,
                                            (c.function for c in results)),
    )


def _run(assignment: Assignment, student: Student | None, options: GradeOptions,
         unavailable: str = "") -> list[CheckResult]:
    # Imported here, not at the top: they bring torch and pytest, which a caller may still be
    # importing in another thread while the notebook runs (see `preload_checks`).
    from grader.checking.plugin import GradingPlugin, run_checks
    from grader.checking.seeds import run_seed

    plugin = GradingPlugin(
        student, load_reference(assignment.solution), options.data_dir,
        seed=run_seed(assignment, options), public_only=options.public_only, unavailable=unavailable,
    )
    return run_checks(assignment.checks, plugin, options.course.settings)


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
