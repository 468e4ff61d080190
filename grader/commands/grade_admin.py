"""`grade-admin`: the instructor's commands around the grader.

    grade-admin generate [ID...]                        assignments/<id>.ipynb from the solutions
    grade-admin gradescope ID --output autograder.zip   Gradescope's autograder bundle
    grade-admin classroom ID --output DIR               a GitHub Classroom template repository
    grade-admin gradescope-run ...                      what the bundle's run_autograder calls

The work is done in `grader.instructor`; this module parses and prints. Errors become exit
statuses in `grader.commands.run_command`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Sequence

from grader.commands import course_from, exit_status_epilog, run_command
from grader.errors import ExitStatus
from grader.files import write_atomically
from grader.instructor.template_files import TORCH_VERSION
from grader.options import GradeOptions


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="grade-admin", description="Instructor commands.",
                                     epilog=exit_status_epilog(),
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--course", type=Path, help="course folder with solutions/ and checks/ "
                        "(default: $GRADER_COURSE, else the working folder or this repository)")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of grader errors")
    commands = parser.add_subparsers(dest="command", required=True)
    generate = commands.add_parser("generate", help="write assignments/<id>.ipynb from the solutions")
    generate.add_argument("ids", nargs="*", help="only these assignments (default: all)")
    scope = commands.add_parser("gradescope", help="build Gradescope's autograder zip")
    scope.add_argument("assignment")
    scope.add_argument("--output", type=Path, default=Path("autograder.zip"))
    scope.add_argument("--torch", default=TORCH_VERSION, help=f"torch version to install ({TORCH_VERSION})")
    room = commands.add_parser("classroom", help="write a GitHub Classroom template repository")
    room.add_argument("assignment")
    room.add_argument("--output", type=Path, required=True, help="the template repository's folder")
    room.add_argument("--public-only", action="store_true",
                      help="the workflow runs only the public checks")
    run = commands.add_parser("gradescope-run", help="(run_autograder) grade one Gradescope submission")
    run.add_argument("assignment")
    run.add_argument("--submission", type=Path, default=Path("/autograder/submission"))
    run.add_argument("--results", type=Path, default=Path("/autograder/results/results.json"))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    return run_command(build_parser(), _run, argv)


def _run(args: argparse.Namespace) -> int:
    course = course_from(args)
    if args.command == "generate":
        from grader.instructor.generate import generate_assignments

        for path in generate_assignments(course.root, args.ids or None):
            print(path)
    elif args.command == "gradescope":
        from grader.instructor.gradescope import gradescope_bundle

        write_atomically(args.output, gradescope_bundle(course, args.assignment, args.torch))
        print(f"{args.output}: Gradescope autograder for {args.assignment}")
    elif args.command == "classroom":
        from grader.instructor.classroom import write_classroom_template

        for path in write_classroom_template(course, args.assignment, args.output, args.public_only):
            print(path)
    elif args.command == "gradescope-run":
        from grader.instructor.gradescope import run_gradescope

        report = run_gradescope(args.assignment, args.submission, args.results,
                                GradeOptions(course=course))
        print(f"{report.submission}: {report.score:g}/{report.max_score:g} ({report.status.value})")
    return int(ExitStatus.GRADED)


if __name__ == "__main__":
    sys.exit(main())
