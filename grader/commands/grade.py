"""`grade`: the command line. Parses arguments, runs the pipeline, prints or writes a reporter.

One notebook: its report (`--format`, `--output`). Several paths, or a folder: a batch
(`grader.batch.run`), with a listing on stdout, progress on stderr and the gradebook outputs
(`--csv`, `--feedback`, `--summary`, `--report`).

Errors: one line on stderr and the error's exit status; a traceback only with --debug.
Exit status 0 means "graded", whatever the score.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from dataclasses import replace
from functools import partial
from pathlib import Path

from grader.submission.course import Course, default_course
from grader.errors import ExitStatus, GraderError, UsageError
from grader.execute.run import ExecutionLimits
from grader.files import write_atomically
from grader.execute.kernel import start_kernel
from grader.submission.notebook import load_notebook
from grader.options import GradeOptions, sandbox_policy
from grader.pipeline import grade, grade_or_explain, preload_checks
from grader.results import GradeReport, GradeStatus
from grader.reporters import classroom, gradescope, json_report, table
from grader.execute.sandbox import SandboxPolicy

RENDERERS = {"table": table.render, "json": json_report.render, "gradescope": gradescope.render,
             "classroom": classroom.render}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="grade", description="Grade Jupyter notebooks of Dive into Deep Learning exercises.",
        epilog="Exit status: 0 graded (any score), 2 usage, 3 file not found, 4 not valid JSON, "
               "5 not a notebook, 6 notebook format older than 4, 7 unknown assignment, "
               "8 kernel or sandbox could not start (in a batch: for some submission), "
               "130 interrupted. A batch grades every submission it can, whatever its state.")
    parser.add_argument("paths", type=Path, nargs="+", metavar="PATH",
                        help="a notebook (one report), or several notebooks or folders (a batch): "
                             "<student>.ipynb, <student>/<assignment>.ipynb, or a folder of "
                             "GitHub Classroom repositories <assignment>-<user>/")
    parser.add_argument("--assignment", help="assignment id, when neither the notebook's metadata "
                        "nor its file name gives one")
    parser.add_argument("--course", type=Path, help="course folder with solutions/ and checks/")
    parser.add_argument("--format", choices=sorted(RENDERERS), default="table")
    parser.add_argument("--output", type=Path, help="write the report here (atomically) "
                        "instead of printing it; written even when the notebook cannot be graded")
    parser.add_argument("--public-only", action="store_true", help="run only the public checks")
    parser.add_argument("--data", type=Path, help="folder with the four Fashion-MNIST files "
                        "(default: $GRADER_FASHION_MNIST, else the bundled digits)")
    parser.add_argument("--cell-timeout", type=float, default=60.0, help="seconds per cell (60)")
    parser.add_argument("--budget", type=float, default=300.0, help="seconds for the whole notebook (300)")
    parser.add_argument("--memory", type=float, default=4.0, help="GiB of memory for the kernel (4)")
    parser.add_argument("--no-sandbox", action="store_true",
                        help="no bubblewrap: resource limits and a process group only")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of grader errors")
    batch = parser.add_argument_group("batches (several notebooks or a folder)")
    batch.add_argument("-j", "--jobs", type=int, default=_cores(),
                       help=f"submissions graded at once, each in its own kernel ({_cores()})")
    batch.add_argument("--scheduler", metavar="ADDRESS",
                       help="grade on the Dask cluster at ADDRESS (needs the 'dask' extra)")
    batch.add_argument("--cold", action="store_true", help="start every kernel from scratch "
                       "(default: each worker forks its kernels, one per submission, from a "
                       "sandboxed process with torch imported: grader.execute.warm)")
    batch.add_argument("--state", type=Path, metavar="DIR", help="where finished results are kept "
                       "for reruns (default: .grader-state beside the first output)")
    batch.add_argument("--force", action="store_true", help="grade again what is already graded")
    batch.add_argument("--csv", type=Path, metavar="FILE", help="write the gradebook as CSV")
    batch.add_argument("--feedback", type=Path, metavar="DIR",
                       help="write <student>.md and <student>.html feedback for each student")
    batch.add_argument("--summary", type=Path, metavar="FILE", help="write a JSON summary")
    batch.add_argument("--report", type=Path, metavar="FILE",
                       help="write the class overview as one HTML page")
    return parser


def options_from(args: argparse.Namespace) -> GradeOptions:
    course = Course(args.course.resolve()) if args.course else default_course()
    if args.course and not (args.course / "checks").is_dir():
        raise UsageError(f"{args.course}: not a course folder (no checks/ inside)")
    policy = SandboxPolicy(memory_limit=int(args.memory * 1024**3),
                           use_bubblewrap=False if args.no_sandbox else None)
    return GradeOptions(course=course, assignment=args.assignment, data_dir=args.data,
                        public_only=args.public_only, policy=policy,
                        limits=replace(ExecutionLimits(), cell_timeout=args.cell_timeout,
                                       notebook_budget=args.budget))


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if _is_batch(args):
            return _run_batch_command(args)
        args.submission = args.paths[0]
        _refuse_batch_options(args)
        options = options_from(args)
        if args.output:
            return _grade_to_file(args, options)
        report = _grade_one(args.submission, options)
        print(RENDERERS[args.format](report))
        return int(ExitStatus.GRADED)
    except GraderError as error:
        if args.debug:
            raise
        print(f"grade: {error}", file=sys.stderr)
        return int(error.exit_status)
    except KeyboardInterrupt:
        print("grade: interrupted", file=sys.stderr)
        return int(ExitStatus.INTERRUPTED)


def _is_batch(args: argparse.Namespace) -> bool:
    return len(args.paths) > 1 or args.paths[0].is_dir()


def _refuse_batch_options(args: argparse.Namespace) -> None:
    given = [name for name in ("csv", "feedback", "summary", "report", "state", "scheduler")
             if getattr(args, name) is not None] + (["cold"] if args.cold else [])
    if given:
        raise UsageError(f"--{given[0]} is for batches: give several notebooks or a folder")


def _grade_one(path: Path, options: GradeOptions) -> GradeReport:
    """Grade one notebook, its kernel started first and the checks' heavy imports (torch,
    pytest) loaded in a thread while the notebook runs: the two overlap instead of adding up."""
    load_notebook(path)  # a file that cannot be graded says so before any kernel starts
    policy = sandbox_policy(options)
    early = [start_kernel(policy)]
    threading.Thread(target=preload_checks, daemon=True).start()  # beside the notebook's run

    def kernels(asked: SandboxPolicy):  # noqa: ANN202 - a Kernel
        return early.pop() if early and asked == policy else start_kernel(asked)

    try:
        return grade(path, options, kernels)
    finally:
        for kernel in early:  # not used: the grading stopped before it ran the notebook
            kernel.close()


def _grade_to_file(args: argparse.Namespace, options: GradeOptions) -> int:
    """Grade into --output; the file is written whatever happens, even if the grader fails."""
    try:
        report = grade_or_explain(args.submission, options)
    except (GraderError, Exception) as error:  # noqa: BLE001 - the platform must get a result
        report = GradeReport(submission=str(args.submission), assignment=options.assignment,
                             status=GradeStatus.UNGRADABLE,
                             reason=f"the grader failed: {type(error).__name__}: {error}")
        write_atomically(args.output, RENDERERS[args.format](report))
        raise
    write_atomically(args.output, RENDERERS[args.format](report))
    print(f"{report.submission}: {report.score:g}/{report.max_score:g} -> {args.output}")
    if report.reason and report.status.value == "ungradable":
        print(f"grade: {report.reason}", file=sys.stderr)
        return int(_exit_status_of(args.submission, options))
    return int(ExitStatus.GRADED)


def _run_batch_command(args: argparse.Namespace) -> int:
    from grader.batch import run as batch
    from grader.batch.cache import ResultCache
    from grader.submission.discover import discover
    from grader.batch.progress import ProgressDisplay

    if args.output is not None:
        raise UsageError("--output is for one notebook; a batch writes --csv, --feedback, "
                         "--summary or --report")
    if args.jobs < 1:
        raise UsageError("-j must be at least 1")
    options = options_from(args)
    entries = discover(args.paths, options.course.assignments)
    if not entries:
        raise UsageError("no notebooks found in " + ", ".join(str(p) for p in args.paths))
    state = args.state or batch.default_state([args.csv, args.summary, args.report, args.feedback])
    display = ProgressDisplay(sys.stderr)
    zygote = None
    if args.scheduler:
        executor, close, workers = batch.dask_executor(args.scheduler)
        abandon = close
    else:
        workers = min(args.jobs, len(entries))
        if not args.cold:
            zygote = batch.shared_zygote(entries, options, ResultCache(state), args.force)
        executor = batch.process_pool(workers, zygote.address if zygote is not None else None)
        close = executor.shutdown
        abandon = lambda: batch.stop_pool(executor)  # noqa: E731 - a one-line hook
    previous = signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops like Ctrl-C
    try:
        result = batch.run_batch(entries, options, executor, ResultCache(state), force=args.force,
                                 workers=workers, progress=display, abandon=abandon,
                                 grader=partial(batch.grade_entry, warm=not args.cold))
    finally:
        signal.signal(signal.SIGTERM, previous)
        close()
        if zygote is not None:
            zygote.close()
    _write_batch_outputs(args, result)
    for outcome in result.outcomes:
        report = outcome.report
        score = f"{report.score:g}/{report.max_score:g}" if report.checks else "-"
        note = " (cached)" if outcome.cached else ""
        print(f"{outcome.student}\t{report.assignment or '?'}\t{score}\t{outcome.status.value}{note}"
              + (f"\t{report.reason}" if report.reason else ""))
    print(f"grade: {len(result.outcomes)} submissions, {result.graded_now} graded now, "
          f"{result.cached} from {state}, in {result.duration:.1f} s", file=sys.stderr)
    if result.interrupted:
        print("grade: interrupted; finished results are kept", file=sys.stderr)
        return int(ExitStatus.INTERRUPTED)
    if any(o.status is batch.RowStatus.ERROR for o in result.outcomes):
        print("grade: the grader failed on some submissions (status 'error'); rerun to retry them",
              file=sys.stderr)
        return int(ExitStatus.ENVIRONMENT)
    return int(ExitStatus.GRADED)


def _write_batch_outputs(args: argparse.Namespace, result) -> None:  # noqa: ANN001 - BatchResult
    from grader.reporters import class_page, csv_gradebook, feedback, summary

    if args.csv:
        write_atomically(args.csv, csv_gradebook.render(result.outcomes))
    if args.summary:
        write_atomically(args.summary, summary.render(result))
    if args.report:
        write_atomically(args.report, class_page.render(result.outcomes))
    if args.feedback:
        for name, text in feedback.render_files(result.outcomes).items():
            write_atomically(args.feedback / name, text)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _exit_status_of(path: Path, options: GradeOptions) -> ExitStatus:
    try:
        grade(path, options)
    except GraderError as error:
        return error.exit_status
    return ExitStatus.GRADED


if __name__ == "__main__":
    sys.exit(main())
