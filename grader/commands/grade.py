"""`grade`: the command line. Parses arguments, calls the pipeline, prints or writes a reporter.

One notebook: its report (`--format`, `--output`). Several paths, or a folder: a batch
(`grader.batch.run`), with a listing on stdout, progress on stderr and the gradebook outputs
(`--csv`, `--gradebook`, `--canvas`, `--moodle`, `--feedback`, `--summary`, `--report`).

Errors become exit statuses in `grader.commands.run_command`. Exit status 0 means "graded",
whatever the score.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from grader.warm import grading_daemon as warm_daemon
from grader.warm.grading_daemon import DEFAULT_IDLE_MINUTES
from grader.commands import (add_course_option, add_version_option, add_language_option, course_from, data_from,
                             exit_status_epilog, language_from, run_command)
from grader.errors import ExitStatus, NotIsolated, UsageError
from grader.files import write_atomically
from grader.i18n import _, speaking
from grader.options import GiB, ExecutionLimits, GradeOptions, SandboxPolicy, judged_by_this_install, sandbox_policy, with_secret
from grader.reporters import FORMATS
from grader.reporters.gradebook import parse_deadline
from grader.reporters.text import printable
from grader.results import Isolation, RowStatus

WARM_MINUTES_ENV = "GRADER_WARM_MINUTES"
BATCH_NOTE = ("In a batch, 8 means the grader failed on some submission; a batch grades every "
              "submission it can, whatever its state.")


def build_parser() -> argparse.ArgumentParser:
    limits, policy = ExecutionLimits(), SandboxPolicy()
    parser = argparse.ArgumentParser(
        prog="grade", description="Grade Jupyter notebooks of Dive into Deep Learning exercises.",
        epilog=exit_status_epilog(BATCH_NOTE), formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", type=Path, nargs="+", metavar="PATH",
                        help="a notebook (one report), or several notebooks or folders (a batch): "
                             "<student>.ipynb, <student>/<assignment>.ipynb, or a folder of "
                             "GitHub Classroom repositories <assignment>-<user>/")
    parser.add_argument("--assignment", help="grade as this assignment, whatever the notebook's "
                        "metadata or file name say (a notebook that says otherwise is flagged)")
    add_course_option(parser)
    add_version_option(parser)
    add_language_option(parser)
    parser.add_argument("--format", choices=sorted(FORMATS), default="table",
                        help="one notebook's report: a table of checks (default), the full JSON "
                             "report, Gradescope's results.json, or GitHub Classroom's result")
    parser.add_argument("--output", type=Path, help="write the report here (atomically) "
                        "instead of printing it; written even when the notebook cannot be graded")
    parser.add_argument("--public-only", action="store_true", help="run only the public checks")
    parser.add_argument("--data", type=Path, help="folder with the four Fashion-MNIST files "
                        "(default: $GRADER_FASHION_MNIST, else the bundled digits)")
    parser.add_argument("--cell-timeout", type=float, default=limits.cell_timeout,
                        help=f"seconds per cell ({limits.cell_timeout:g})")
    parser.add_argument("--budget", type=float, default=limits.notebook_budget,
                        help=f"seconds for the whole notebook ({limits.notebook_budget:g})")
    parser.add_argument("--memory", type=float, default=policy.memory_limit / GiB,
                        help=f"GiB of memory for the kernel ({policy.memory_limit / GiB:g})")
    parser.add_argument("--no-sandbox", action="store_true",
                        help="no bubblewrap: as root, the kernel runs as an unprivileged user "
                             "of its own; otherwise with resource limits only, NOT isolated (the "
                             "only way to run so where the course has solutions)")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of grader errors")
    parser.add_argument("--cold", action="store_true", help="start every kernel and import "
                        "from scratch (default: one notebook is graded by a warm daemon that stays "
                        f"${WARM_MINUTES_ENV} minutes ({DEFAULT_IDLE_MINUTES:g}) after its last "
                        "use; a batch forks each kernel from a sandboxed process that has "
                        "already imported torch; either way one fresh kernel per submission)")
    batch = parser.add_argument_group("batches (several notebooks or a folder)")
    batch.add_argument("-j", "--jobs", type=int, default=_cores(),
                       help=f"submissions graded at once, each in its own kernel ({_cores()})")
    batch.add_argument("--force", action="store_true", help="grade again what is already graded")
    batch_only = [
        batch.add_argument("--scheduler", metavar="ADDRESS",
                           help="grade on the Dask cluster at ADDRESS (needs the 'dask' extra)"),
        batch.add_argument("--state", type=Path, metavar="DIR", help="where finished results "
                           "are kept for reruns (default: .grader-state beside the first output)"),
        batch.add_argument("--csv", type=Path, metavar="FILE", help="write a CSV: a row per "
                           "submission, a column per check"),
        batch.add_argument("--gradebook", type=Path, metavar="FILE", help="write a CSV: a row per "
                           "student, a total per assignment (empty: missing), total, max, notes"),
        batch.add_argument("--canvas", type=Path, metavar="FILE", help="write a CSV for Canvas's "
                           "gradebook import (the student id as SIS Login ID)"),
        batch.add_argument("--moodle", type=Path, metavar="FILE", help="write a CSV for Moodle's "
                           "grade import (the student id as username)"),
        batch.add_argument("--deadline", type=_deadline, metavar="ISO", help="mark as late, in "
                           "--gradebook and --report, notebooks whose file was modified after this "
                           "time (e.g. 2026-03-01T23:59; a copy or git clone resets file times)"),
        batch.add_argument("--feedback", type=Path, metavar="DIR",
                           help="write <student>.md and <student>.html feedback for each student"),
        batch.add_argument("--summary", type=Path, metavar="FILE", help="write a JSON summary"),
        batch.add_argument("--report", type=Path, metavar="FILE",
                           help="write the class page (instructor only: hidden checks, "
                           "look-alike submissions, links to --feedback files) as one HTML file"),
    ]
    parser.set_defaults(batch_only={action.dest: action.option_strings[0] for action in batch_only})
    return parser


def options_from(args: argparse.Namespace) -> GradeOptions:
    policy = SandboxPolicy(memory_limit=int(args.memory * GiB),
                           use_bubblewrap=False if args.no_sandbox else None)
    return with_secret(GradeOptions(course=course_from(args), assignment=args.assignment, language=language_from(args),
                        data_dir=data_from(args), public_only=args.public_only, policy=policy,
                        limits=ExecutionLimits(cell_timeout=args.cell_timeout,
                                               notebook_budget=args.budget)))  # $GRADER_SECRET, read here


def main(argv: Sequence[str] | None = None) -> int:
    return run_command(build_parser(), _grade, argv)


def _grade(args: argparse.Namespace) -> int:
    """The command, speaking the run's language: the grading passes it down in GradeOptions, and
    whatever the command itself writes for students (tables, feedback files) is in it too."""
    asked = options_from(args)
    with speaking(asked.language, asked.course.folders):
        options = judged_by_this_install(asked)
        if options is not asked:
            print("grade: " + _("hidden checks are not part of this install: public checks only"),
                  file=sys.stderr)
        return _grade_speaking(args, options)


def _grade_speaking(args: argparse.Namespace, options: GradeOptions) -> int:
    if len(args.paths) > 1 or args.paths[0].is_dir():
        return _run_batch_command(args, options)
    given = [flag for dest, flag in args.batch_only.items() if getattr(args, dest) not in (None, False)]
    if given:
        raise UsageError(f"{given[0]} is for batches: give several notebooks or a folder")
    path = args.paths[0]
    render = FORMATS[args.format]
    no_sandbox_said(args)  # the isolation itself is decided before the kernel starts
    daemon = None if args.cold else _warm_daemon_folder(args, options)
    if args.output is None:
        print(render(_grade_one(path, options, daemon)), flush=True)
    else:
        try:
            report = _grade_one(path, options, daemon)
        except NotIsolated:  # refused: nothing ran, nothing to show
            raise
        except Exception as error:  # the platform reading --output must get a result, whatever
            write_atomically(args.output, render(explain(path, options, error)))
            raise  # ... and the command its one line and exit status
        write_atomically(args.output, render(report))
        print(f"{printable(report.submission)}: {report.score:g}/{report.max_score:g} -> {args.output}"
              + (f" (isolation: {report.isolation.value})" if report.isolation else ""), flush=True)
    if daemon is not None and not daemon.warm:  # graded cold: warm for the next call
        warm_daemon.start_in_background(options, daemon.folder, _warm_minutes(), path)
    return int(ExitStatus.GRADED)


@dataclass
class _Daemon:
    folder: Path
    warm: bool = False  # it graded this call


def no_sandbox_said(args: argparse.Namespace) -> None:
    """--no-sandbox: never in a Classroom result; elsewhere said before the first cell runs."""
    if args.no_sandbox and args.format == "classroom":
        raise UsageError("--format classroom never grades with --no-sandbox")
    if args.no_sandbox:
        print("grade: warning: --no-sandbox: the notebook runs without bubblewrap (as root: as a "
              "user of its own; else NOT isolated, as you); the grader's environment is kept "
              "from it", file=sys.stderr)


def decide_isolation(args: argparse.Namespace, options: GradeOptions) -> Isolation:
    """How the notebooks will be isolated, decided before any of their code runs: NotIsolated
    (exit 12) where nothing can keep them from the course's secrets, or where a kernel user
    could read the course."""
    from grader.execute.exposure import refuse_if_course_exposed
    from grader.execute.sandbox import isolation_for, keep_environment_from_same_user

    policy = sandbox_policy(options)
    isolation = isolation_for(policy)
    if isolation is Isolation.RLIMITS:  # the kernel is this user: it must not read our environment
        keep_environment_from_same_user()
    if isolation is Isolation.UNPRIVILEGED_USER:
        refuse_if_course_exposed(tuple(policy.hidden))
    return isolation


def _warm_daemon_folder(args: argparse.Namespace, options: GradeOptions) -> _Daemon | None:
    """The warm grading daemon for these options (None: turned off, or no private folder)."""
    from grader.batch.cache import grader_version
    from grader.warm.daemon import DaemonUnavailable, private_folder, runtime_root

    # its socket is this user's: no daemon where a kernel runs as this user (rlimits only)
    if _warm_minutes() <= 0 or decide_isolation(args, options) is Isolation.RLIMITS:
        return None
    root = runtime_root(os.environ.get("XDG_RUNTIME_DIR"))
    try:
        return _Daemon(private_folder(warm_daemon.daemon_folder(options, root, grader_version())))
    except DaemonUnavailable as error:
        print(f"grade: no warm grading daemon ({error})", file=sys.stderr)
        return None


def _grade_one(path: Path, options: GradeOptions, daemon: _Daemon | None):  # noqa: ANN202
    """One notebook's report: from the warm daemon when one is ready, else graded here."""
    if daemon is not None:
        report = warm_daemon.grade_warm(path, options, daemon.folder)
        if report is not None:
            daemon.warm = True
            return report
    return grade_notebook(path, options)


def grade_notebook(path: Path, options: GradeOptions):  # noqa: ANN201 - a GradeReport
    """`grader.pipeline.grade_notebook`, imported only when needed (a warm call needs none of
    the pipeline's imports)."""
    import grader.pipeline

    return grader.pipeline.grade_notebook(path, options)


def explain(path: Path, options: GradeOptions, error: BaseException):  # noqa: ANN201
    import grader.pipeline

    return grader.pipeline.explain(path, options, error)


def _warm_minutes() -> float:
    """$GRADER_WARM_MINUTES: how long the warm daemon waits for the next call (0: no daemon)."""
    try:
        return float(os.environ.get(WARM_MINUTES_ENV, DEFAULT_IDLE_MINUTES))
    except ValueError:
        return DEFAULT_IDLE_MINUTES


def _run_batch_command(args: argparse.Namespace, options: GradeOptions) -> int:
    from grader.batch import run as batch
    from grader.batch.cache import ResultCache
    from grader.batch.cluster import dask_executor
    from grader.warm import workers
    from grader.batch.progress import ProgressDisplay
    from grader.execute.exposure import hide_command_line, refuse_if_submissions_exposed
    from grader.submission.discover import find_submissions

    if args.output is not None:
        raise UsageError("--output is for one notebook; a batch writes --csv, --feedback, "
                         "--summary or --report")
    if args.jobs < 1:
        raise UsageError("-j must be at least 1")
    no_sandbox_said(args)
    hide_command_line()  # no path of a submission on a command line other users can read
    entries, skipped = find_submissions(args.paths, options.course.assignments)
    print("".join(f"grade: skipped {printable(str(one))}\n" for one in skipped), end="", file=sys.stderr)
    if not entries:
        raise UsageError("no notebooks found in " + ", ".join(str(p) for p in args.paths))
    if decide_isolation(args, options) is Isolation.UNPRIVILEGED_USER:  # classmates' closed too
        refuse_if_submissions_exposed(entry.path for entry in entries)
    state = args.state or batch.default_state([args.csv, args.gradebook, args.canvas, args.moodle,
                                                args.summary, args.report, args.feedback])
    zygote = None
    if args.scheduler:
        executor, close, jobs = dask_executor(args.scheduler, options)
        abandon = close
    else:
        jobs = min(args.jobs, len(entries))
        if not args.cold:
            zygote = workers.shared_zygote(entries, options, ResultCache(state), args.force)
        executor = workers.process_pool(jobs, zygote.address if zygote is not None else None)
        close = executor.shutdown
        abandon = lambda: workers.stop_pool(executor)  # noqa: E731 - a one-line hook
    previous = signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops like Ctrl-C
    try:
        result = batch.run_batch(entries, options, executor, ResultCache(state), force=args.force,
                                 workers=jobs, progress=ProgressDisplay(sys.stderr), abandon=abandon,
                                 grader=batch.grade_entry if args.cold else workers.grade_entry_warm)
    finally:
        signal.signal(signal.SIGTERM, previous)
        close()
        if zygote is not None:
            zygote.close()
    _write_batch_outputs(args, result)
    _print_listing(result, state)
    if result.interrupted:
        print("grade: interrupted; finished results are kept", file=sys.stderr)
        return int(ExitStatus.INTERRUPTED)
    if any(outcome.status == RowStatus.ERROR for outcome in result.outcomes):
        print("grade: the grader failed on some submissions (status 'error'); rerun to retry them",
              file=sys.stderr)
        return int(ExitStatus.ENVIRONMENT)
    return int(ExitStatus.GRADED)


def _print_listing(result, state: Path) -> None:  # noqa: ANN001 - a BatchResult
    for outcome in result.outcomes:
        report = outcome.report
        score = f"{report.score:g}/{report.max_score:g}" if report.checks else "-"
        note = " (cached)" if outcome.cached else ""
        print(f"{printable(outcome.student)}\t{printable(report.assignment or '?')}\t{score}\t"
              f"{outcome.status.value}{note}" + (f"\t{printable(report.reason)}" if report.reason else ""))
    print(f"grade: {len(result.outcomes)} submissions, {result.graded_now} graded now, "
          f"{result.cached} from {state}, in {result.duration:.1f} s", file=sys.stderr)


def _write_batch_outputs(args: argparse.Namespace, result) -> None:  # noqa: ANN001 - BatchResult
    from grader.reporters import class_page, csv_gradebook, feedback, gradebook, lms, summary

    if args.csv:
        write_atomically(args.csv, csv_gradebook.render(result.outcomes))
    if args.gradebook:
        write_atomically(args.gradebook, gradebook.render(result.outcomes, args.deadline))
    for system in (s for s in lms.SYSTEMS if getattr(args, s)):
        write_atomically(getattr(args, system), lms.render(system, result.outcomes))
    if args.summary:
        write_atomically(args.summary, summary.render(result))
    if args.report:
        link = class_page.relative_link(args.report, args.feedback) if args.feedback else None
        write_atomically(args.report, class_page.render(result.outcomes, feedback_link=link,
                                                        deadline=args.deadline))
    if args.feedback:
        for name, text in feedback.render_files(result.outcomes).items():
            write_atomically(args.feedback / name, text)


def _deadline(text: str):  # noqa: ANN202 - a datetime
    try:
        return parse_deadline(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 time: {text!r}") from None


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


if __name__ == "__main__":
    sys.exit(main())
