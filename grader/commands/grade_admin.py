"""`grade-admin`: the instructor's commands around the grader.

    grade-admin generate [ID...]                        assignments/<id>.ipynb from the solutions
    grade-admin validate ID [--seeds N]                 prove an authored assignment holds up
    grade-admin gradescope ID --output autograder.zip   Gradescope's autograder bundle
    grade-admin classroom ID --output DIR               a GitHub Classroom template repository
    grade-admin student-kit ID --output DIR             what a student may hold: notebook, public checks, answers
    grade-admin gradescope-run ...                      what the bundle's run_autograder calls

The work is done in `grader.instructor`; this module parses and prints. Errors become exit
statuses in `grader.commands.run_command`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Sequence

from grader.commands import (add_course_option, add_version_option, add_language_option, course_from, data_from,
                             exit_status_epilog, language_from, run_command)
from grader.errors import AssignmentNotValid, ExitStatus, UsageError
from grader.submission.course import Course
from grader.files import write_atomically
from grader.instructor.template_files import TORCH_VERSION
from grader.options import GradeOptions, SandboxPolicy, with_secret

INSTALL_HELP = ("where students and workflows install the grader from: a published name, a git URL or "
                "a wheel file (default: the course.toml's [grader] install, else the kit carries this "
                "grader's wheel, built here with no package index)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="grade-admin", description="Instructor commands.",
                                     epilog=exit_status_epilog(),
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add_course_option(parser)
    add_version_option(parser)
    parser.add_argument("--debug", action="store_true", help="show tracebacks of grader errors")
    commands = parser.add_subparsers(dest="command", required=True)
    generate = commands.add_parser("generate", help="write assignments/<id>.ipynb from the solutions")
    generate.add_argument("ids", nargs="*", help="only these assignments (default: every solution "
                          "of the course folder)")
    validate = commands.add_parser(
        "validate", help="prove an assignment: the solution scores full marks with seeds "
        "0..N-1, the untouched assignment zero; every check is named after a graded function "
        "and fails with a message")
    validate.add_argument("assignment")
    validate.add_argument("--seeds", type=int, default=3, metavar="N",
                          help="grade the solution with seeds 0..N-1 (3)")
    validate.add_argument("--data", type=Path, help="folder with the four Fashion-MNIST files "
                          "(default: $GRADER_FASHION_MNIST, else the bundled digits)")
    scope = commands.add_parser("gradescope", help="build Gradescope's autograder zip")
    scope.add_argument("assignment")
    scope.add_argument("--output", type=Path, default=Path("autograder.zip"))
    scope.add_argument("--torch", default=TORCH_VERSION, help=f"torch version to install ({TORCH_VERSION})")
    scope.add_argument("--lang", metavar="CODE", help="the language of the results students read "
                       "(e.g. ko; default: English, Gradescope's locale)")
    room = commands.add_parser("classroom", help="write a GitHub Classroom template repository")
    room.add_argument("assignment")
    room.add_argument("--output", type=Path, required=True, help="the template repository's folder")
    room.add_argument("--public-only", action="store_true",
                      help="the workflow runs only the public checks")
    room.add_argument("--kit", action="store_true", help="a feedback workflow: the student kit in "
                      "kit/ (public checks, their answers), the grader installed with pip, no token")
    room.add_argument("--lang", metavar="CODE", help="the language of the results students read "
                      "(e.g. ko; default: English, the runner's locale)")
    room.add_argument("--install", "--grader", dest="install", metavar="SPEC", help=INSTALL_HELP)
    kit = commands.add_parser("student-kit", help="write a student kit: the assignment notebook, its "
                              "public checks and their expected answers (no solution, no hidden check)")
    kit.add_argument("assignment")
    kit.add_argument("--output", type=Path, required=True, help="the kit's folder")
    kit.add_argument("--data", type=Path, help="the image data the checks use (as for validate)")
    kit.add_argument("--install", metavar="SPEC", help=INSTALL_HELP)
    run = commands.add_parser("gradescope-run", help="(run_autograder) grade one Gradescope submission")
    run.add_argument("assignment")
    run.add_argument("--submission", type=Path, default=Path("/autograder/submission"))
    run.add_argument("--results", type=Path, default=Path("/autograder/results/results.json"))
    add_language_option(run)
    for subcommand in (generate, validate, scope, room, kit, run):  # before or after the subcommand
        add_course_option(subcommand, in_subcommand=True)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    return run_command(build_parser(), _run, argv)


def _run(args: argparse.Namespace) -> int:
    course = course_from(args)
    if args.command == "generate":
        from grader.instructor.generate import generate_for_course

        for path in generate_for_course(course, args.ids or None):
            print(path)
    elif args.command == "validate":
        return _validate(course, args)
    elif args.command == "gradescope":
        from grader.instructor.gradescope import gradescope_bundle

        language = language_from(args) if args.lang else None
        write_atomically(args.output, gradescope_bundle(course, args.assignment, args.torch, language))
        print(f"{args.output}: Gradescope autograder for {args.assignment}")
    elif args.command == "classroom":
        language = language_from(args) if args.lang else None
        from grader.instructor.classroom import write_classroom_template

        if args.kit:
            from grader.instructor.classroom import write_classroom_kit_template

            written = write_classroom_kit_template(course, args.assignment, args.output, args.install,
                                                   language=language)
        else:
            written = write_classroom_template(course, args.assignment, args.output, args.public_only,
                                               language=language, install=args.install)
        for path in written:
            print(path)
    elif args.command == "student-kit":
        from grader.instructor.install_source import install_source
        from grader.instructor.student_kit import write_student_kit

        source = install_source(course.root, args.install)
        for path in write_student_kit(course, args.assignment, args.output, data_from(args), source):
            print(path)
    elif args.command == "gradescope-run":
        from grader.instructor.gradescope import run_gradescope

        from grader.i18n import speaking

        language = language_from(args)
        with speaking(language, course.folders):  # the results' text, for students
            report = run_gradescope(args.assignment, args.submission, args.results,
                                    with_secret(GradeOptions(course=course, language=language)))
        print(f"{report.submission}: {report.score:g}/{report.max_score:g} ({report.status.value})")
    return int(ExitStatus.GRADED)


def _validate(course: Course, args: argparse.Namespace) -> int:
    from grader.instructor.validate import validate

    if args.seeds < 1:
        raise UsageError("--seeds must be at least 1")
    assignment = course.assignment_for(args.assignment)
    # the instructor's own notebooks (solution, known mistakes): allowed to run unisolated
    options = GradeOptions(course=course, data_dir=data_from(args),
                           policy=SandboxPolicy(allow_unisolated=True))
    result = validate(assignment, options, args.seeds)
    name = assignment.id
    for seed, report in result.solution:
        print(f"{name}: the solution with seed {seed}: {report.score:g}/{report.max_score:g}")
    print(f"{name}: the untouched assignment: {result.untouched.score:g}/{result.untouched.max_score:g}")
    for problem in result.problems:
        print(f"{name}: {problem}")
    if not result.valid:
        raise AssignmentNotValid(name, list(result.problems))
    print(f"{name}: valid ({len(result.untouched.checks)} checks, each named after a graded "
          f"function and failing the untouched assignment with a message)")
    return int(ExitStatus.GRADED)


if __name__ == "__main__":
    sys.exit(main())
