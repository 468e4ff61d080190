"""What the two console scripts, `grade` and `grade-admin`, share: the edge of the program.

`run_command` is the one place where errors become exit statuses: a GraderError prints one
line and exits with its own status; Ctrl-C exits 130; a reader that closes the pipe early
(`grade ... | head -1`) ends the command quietly; anything else is an internal error, one line
and status 1. A traceback is shown only with `--debug`.

The environment is read here and nowhere in the library: `course_from` (GRADER_COURSE),
`data_from` (GRADER_FASHION_MNIST) and `language_from` (--lang, else the locale: LANGUAGE,
LC_ALL, LC_MESSAGES, LANG as gettext reads them) turn it into explicit values.
"""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
from pathlib import Path
from typing import Callable, Sequence

from grader.errors import ExitStatus, GraderError, UsageError
from grader.i18n import language_for, languages
from grader.submission.course import Course, default_course

COURSE_ENV = "GRADER_COURSE"
FASHION_MNIST_ENV = "GRADER_FASHION_MNIST"

CommandBody = Callable[[argparse.Namespace], int]


def run_command(parser: argparse.ArgumentParser, body: CommandBody,
                argv: Sequence[str] | None = None) -> int:
    """Parse `argv`, run `body(args)` and turn whatever it raises into one line and a status."""
    prog, debug = parser.prog, False
    try:
        args = parser.parse_args(argv)  # argparse exits by itself on bad usage (status 2)
        debug = getattr(args, "debug", False)
        status = int(body(args))
        sys.stdout.flush()  # a closed pipe shows here, not as a warning at exit
        return status
    except BrokenPipeError:
        _silence_stdout()
        return int(ExitStatus.OUTPUT_CLOSED)
    except GraderError as error:
        if debug:
            raise
        _say(prog, str(error))
        return int(error.exit_status)
    except KeyboardInterrupt:
        _say(prog, "interrupted")
        return int(ExitStatus.INTERRUPTED)
    except Exception:
        if debug:
            raise
        _say(prog, "internal error; run again with --debug to see where")
        return int(ExitStatus.INTERNAL_ERROR)


def exit_status_epilog(note: str = "") -> str:
    """The `--help` text on exit statuses, built from ExitStatus so that none is left out."""
    lines = ["exit status:"]
    lines += [f"  {int(status):>3}  {status.description}" for status in ExitStatus]
    return "\n".join(lines + textwrap.wrap(note, width=78))


COURSE_HELP = ("a course folder (solutions/ and checks/) added to the built-in course: an "
               "assignment is looked up first in DIR, then in the built-in course, so an id in "
               "both is DIR's (default: $GRADER_COURSE, else the working folder if it is a course)")


class _Version(argparse.Action):
    """`--version`: the package's version and the digest of the sources that grade (the one
    the result cache keys on), computed only when asked (it reads the grader's sources)."""

    def __init__(self, option_strings: list[str], dest: str = argparse.SUPPRESS, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS,
                         help="print the grader's version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *args: object) -> None:
        from grader.batch.cache import grader_version

        print(f"{parser.prog} {grader_version()}")
        parser.exit()


def add_version_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--version", action=_Version)


def add_course_option(parser: argparse.ArgumentParser, *, in_subcommand: bool = False) -> None:
    """`--course DIR`, with the one text that says what it does. A subcommand's copy has no
    default, so that `grade-admin --course DIR generate` and `grade-admin generate --course DIR`
    both work (a subparser's default would overwrite the value given before the subcommand)."""
    extra = {"default": argparse.SUPPRESS} if in_subcommand else {"default": None}
    parser.add_argument("--course", type=Path, metavar="DIR", help=COURSE_HELP, **extra)


def course_from(args: argparse.Namespace) -> Course:
    """The course: --course, else $GRADER_COURSE, else the working folder, each on top of the
    built-in course; else the built-in course alone."""
    if args.course is not None:
        if not (args.course / "checks").is_dir():
            raise UsageError(f"{args.course}: not a course folder (no checks/ inside)")
        return Course.adding_to_builtin(args.course)
    named = os.environ.get(COURSE_ENV, "").strip()
    if named:
        return Course.adding_to_builtin(Path(named).expanduser())
    return default_course()


def add_language_option(parser: argparse.ArgumentParser, *, in_subcommand: bool = False) -> None:
    """`--lang CODE`: the language of what students read (see `language_from`)."""
    extra = {"default": argparse.SUPPRESS} if in_subcommand else {"default": None}
    parser.add_argument("--lang", metavar="CODE", **extra,
                        help="the language of messages students read: " + ", ".join(languages())
                        + " (default: the locale, LANG or LC_ALL, else en; an unknown one is en)")


def language_from(args: argparse.Namespace) -> str:
    """The run's language: --lang, else the locale's (as gettext reads LANGUAGE, LC_ALL,
    LC_MESSAGES and LANG), else English; one without a catalog is English."""
    return language_for(getattr(args, "lang", None))


def data_from(args: argparse.Namespace) -> Path | None:
    """The data folder for the course's fixtures (the D2L course: Fashion-MNIST): --data, else
    $GRADER_FASHION_MNIST, else None (the course's default: the D2L course's bundled digits)."""
    if args.data is not None:
        return args.data
    named = os.environ.get(FASHION_MNIST_ENV, "").strip()
    return Path(named).expanduser() if named else None


def _say(prog: str, line: str) -> None:
    try:
        from grader.reporters.text import printable  # one line, whatever the error holds

        print(f"{prog}: {printable(line)}", file=sys.stderr, flush=True)
    except (BrokenPipeError, ValueError):  # stderr closed too: nobody is listening
        pass


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that flushing it at exit raises nothing more (the recipe
    of Python's documentation for SIGPIPE)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no file descriptor (stdout captured in-process)
        pass
