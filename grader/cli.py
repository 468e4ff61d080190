"""`grade`: the command line. Parses arguments, runs the pipeline, prints or writes a reporter.

Errors: one line on stderr and the error's exit status; a traceback only with --debug.
Exit status 0 means "graded", whatever the score.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

from grader.course import Course, default_course
from grader.errors import ExitStatus, GraderError, UsageError
from grader.execute import ExecutionLimits
from grader.files import write_atomically
from grader.pipeline import GradeOptions, grade, grade_or_explain
from grader.reporters import gradescope, json_report, table
from grader.sandbox import SandboxPolicy

RENDERERS = {"table": table.render, "json": json_report.render, "gradescope": gradescope.render}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="grade", description="Grade Jupyter notebooks of Dive into Deep Learning exercises.",
        epilog="Exit status: 0 graded (any score), 2 usage, 3 file not found, 4 not valid JSON, "
               "5 not a notebook, 6 notebook format older than 4, 7 unknown assignment, "
               "8 kernel or sandbox could not start, 130 interrupted.")
    parser.add_argument("submission", type=Path, help="the notebook to grade")
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
        options = options_from(args)
        if args.output:
            report = grade_or_explain(args.submission, options)
            write_atomically(args.output, RENDERERS[args.format](report))
            print(f"{report.submission}: {report.score:g}/{report.max_score:g} -> {args.output}")
            if report.reason and report.status.value == "ungradable":
                print(f"grade: {report.reason}", file=sys.stderr)
                return int(_exit_status_of(args.submission, options))
            return int(ExitStatus.GRADED)
        report = grade(args.submission, options)
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


def _exit_status_of(path: Path, options: GradeOptions) -> ExitStatus:
    try:
        grade(path, options)
    except GraderError as error:
        return error.exit_status
    return ExitStatus.GRADED


if __name__ == "__main__":
    sys.exit(main())
