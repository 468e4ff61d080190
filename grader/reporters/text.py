"""What every reporter writes the same way: points, file names, and text made safe for students.

Reports carry what the grader knows, written for the instructor: a reason may hold the path of
the notebook on the grading machine ("/home/grader/in/x.ipynb: not valid JSON"), the class of a
grader error ("the grader failed: RuntimeError: …") or a module's name. `student_safe` keeps the
meaning and drops those: paths become file names, grader error classes and `grader.…` modules
go. Only the student's own errors keep their class ("softmax(X) raised ValueError: …", a cell's
"ZeroDivisionError: division by zero"): that is their code talking, and the words they need.

Whatever a student wrote can also reach a terminal, a CI log or a file someone `cat`s: an error
message, a cell's output summary, a file name. `printable` shows its control characters as
escapes, so none can recolour, erase or redraw a line (a forged green "Total: 17/17"), reorder
text (bidirectional overrides) or start a line of its own. It also disarms what GitHub Actions
reads as a workflow command in a log: `::command::` at the start of a line (after spaces, so a
wrapped line counts) and the legacy `##[command]` anywhere in one. Every reporter passes
student-derived text through it.
"""

from __future__ import annotations

import re
from pathlib import PurePath

from grader.i18n import N_, _
from grader.results import CellRecord, CellStatus, GradeReport

# An absolute path of at least two parts, not inside a word or a fraction ("1/2", "and/or").
_PATH = re.compile(r"(?<![\w./~-])~?/(?:[\w.@+~-]+/)+[\w.@+~-]*")
_MODULE = re.compile(r"\s*\(grader(?:\.\w+)+\)|\bgrader(?:\.\w+)+")
_ERROR_SUFFIX = r"(?:Error|Exception|Problem|Failure|Warning|Exit|Interrupt|Unavailable|Failed)"
# A class name: CamelCase ending like an exception's, or any CamelCase word of two humps or
# more when it leads a message ("NotebookTooOld: …"); "raised X" is the student's own error, and
# so is "— X" (how a translation marks it: "softmax(X) 실행 중 오류 발생 — ValueError: …").
_CLASS = (r"(?<!raised )(?<!— )\b(?:[A-Za-z_]\w*\.)*(?:[A-Z][A-Za-z0-9]*" + _ERROR_SUFFIX
          + r"|[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+(?=:))\b")
_CLASS_IN_PARENTHESES = re.compile(r"\s*\(" + _CLASS + r"\)")
_CLASS_LEADING_A_MESSAGE = re.compile(_CLASS + r":\s*")
_CLASS_ALONE = re.compile(_CLASS)
# The kernel's working folder on the grading machine, wherever it shows (glued to a word too):
# `<tmp>/grader-warm-<8 random>/<12 hex>/work` for a warm kernel, `<tmp>/grader-<8>/work` cold.
_KERNEL_FOLDER = re.compile(
    r"[^\s'\"]*/grader-(?:warm-)?[a-z0-9_]{8}(?:/[0-9a-f]{12})?(?:/work)?(?![\w-])/?")
# What moves the cursor, recolours, reorders or breaks a line: C0 and C1 controls and DEL,
# bidirectional marks, embeddings, overrides and isolates, the line and paragraph separators,
# and lone surrogates (a file name's undecodable bytes, which no UTF-8 stream can write).
_UNPRINTABLE = re.compile("\r\n|[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e"
                          "\u2066-\u2069\ud800-\udfff]")
_SHORT_ESCAPES = {"\t": "\\t", "\r": "\\r"}
# GitHub Actions' workflow commands: `::name::` leading a line, after any spaces (actions/runner,
# ActionCommand.TryParseV2 trims them), and the legacy `##[name]` anywhere in a line (TryParse).
_COMMAND_LEADING_A_LINE = re.compile(r"^([^\S\n]*):(?=:)", re.MULTILINE)
_LEGACY_COMMAND = "##["
NEWLINE_MARK = "\u23ce"  # ⏎: where a student's text had a line break


def number(value: float) -> int | float:
    """Points for JSON: an int when whole (17, not 17.0), else rounded to 6 places."""
    value = round(float(value), 6)
    return int(value) if value.is_integer() else value


def points(value: float) -> str:
    """Points for text: "17", "1.5"."""
    return str(number(value))


def printable(text: str, keep_newlines: bool = False) -> str:
    """`text` with every control character shown as an escape (`\\u001b`, `\\u202e`, `\\t`),
    each line break as ⏎, so it stays on its line, and no workflow command (`\\u003a:error::`,
    `#\\u0023[error]`). The escapes are JSON's: with `keep_newlines`, a JSON text (whose line
    breaks are its own) stays valid and means the same."""
    def escape(match: re.Match[str]) -> str:
        char = match.group()
        if char in ("\n", "\r\n"):
            return "\n" if keep_newlines else NEWLINE_MARK
        return _SHORT_ESCAPES.get(char) or f"\\u{ord(char):04x}"
    text = _UNPRINTABLE.sub(escape, str(text)).replace(_LEGACY_COMMAND, "#\\u0023[")
    return _COMMAND_LEADING_A_LINE.sub(r"\1\\u003a", text)


def file_name(path: str) -> str:
    """The last part of a path ("" stays "")."""
    return PurePath(path).name if path else ""


def without_paths(text: str, submission: str = "") -> str:
    """`text` with the submission's path, and any other absolute path, cut to the file name;
    the kernel's working folder becomes `./`."""
    text = _KERNEL_FOLDER.sub("./", text)
    if submission and submission != file_name(submission):
        text = text.replace(submission, file_name(submission))
    return _PATH.sub(lambda match: file_name(match.group()), text)


def student_safe(text: str, submission: str = "") -> str:
    """Text the grader wrote (a reason, a check's message), fit for a student: no path of the
    grading machine, no grader module, no error class name except the student's own, no
    control character (`printable`)."""
    text = _CLASS_IN_PARENTHESES.sub("", without_paths(text, submission))
    text = _CLASS_LEADING_A_MESSAGE.sub("", text)
    text = _CLASS_ALONE.sub(_("an error"), text)
    text = _MODULE.sub("", text)
    return printable(re.sub(r"\s{2,}", " ", text).strip())


def reason(report: GradeReport) -> str:
    """The report's reason, for a student."""
    return student_safe(report.reason, report.submission)


def isolation_line(report: GradeReport) -> str:
    """Which isolation graded the report, for a person: "Isolation: bubblewrap sandbox",
    "Isolation: resource limits only, NOT isolated"; "" where no kernel ran (nothing graded it).
    What a weaker isolation means (`grader.execute.sandbox.isolation_note`) is in the report's
    reason, which each reporter shows beside this."""
    if report.isolation is None:
        return ""
    return _("Isolation: {isolation}").format(isolation=report.isolation.words)


def cell_note(cell: CellRecord, submission: str = "") -> str:
    """One line on a cell that did not simply run: "Cell 4: stopped: took too long (…)".
    The summary of a cell that raised is the student's own error, shown as Jupyter showed it."""
    summary = without_paths(cell.summary, submission)
    if cell.status is not CellStatus.ERROR:
        summary = student_safe(summary)
    where = (_("Code cell {number}").format(number=cell.number) if cell.number  # as Jupyter numbers it
             else _("Cell {number}").format(number=cell.index + 1))
    note = (_("{cell}: {status} ({summary})") if summary else _("{cell}: {status}")).format(
        cell=where, status=cell.status.words, summary=summary)
    hint = unavailable_at_grading(cell.summary) if cell.status is CellStatus.ERROR else ""
    return printable(_("{note}; {hint}").format(note=note, hint=hint) if hint else note)


# Why a cell that works on Colab or at home fails at grading: (what its error says, the reason)
_UNAVAILABLE = (
    (re.compile(r"No module named '(google|google\.colab)'"), N_("Google Colab only, not available at grading")),
    (re.compile(r"URLError|gaierror|ConnectionError|name resolution|Name or service not known|"
                r"Network is unreachable|No address associated"), N_("no network at grading")),
    (re.compile(r"CUDA|NVIDIA driver|nvidia-smi"), N_("no GPU at grading")),
)


def unavailable_at_grading(summary: str) -> str:
    """Why a cell's error comes from the grading machine, not the code ("no network at
    grading"), when its summary says so; "" otherwise."""
    return next((_(reason) for pattern, reason in _UNAVAILABLE if pattern.search(summary)), "")


def cells_to_note(report: GradeReport) -> list[str]:
    """A note for each cell that did not run cleanly, and one for each cell with parts not run
    at grading ("Code cell 1: shell command not run at grading (!pip install d2l)"), in the
    notebook's order."""
    notes = [(cell.number or cell.index + 1, cell_note(cell, report.submission))
             for cell in report.execution.cells if cell.status is not CellStatus.OK]
    notes += [(_cell_number(note), note) for note in not_run_notes(report)]
    return [note for _, note in sorted(notes, key=lambda pair: pair[0])]


def _cell_number(note: str) -> int:
    found = re.match(r"\D*?(\d+)", note)  # "Code cell 1: …", "코드 셀 1: …"
    return int(found.group(1)) if found else 1 << 30


def not_run_notes(report: GradeReport) -> list[str]:
    """One line per cell with parts not run at grading, as `ExecutionSummary.skipped_lines`
    holds them; an older report's bare lines ("!ls") under one heading."""
    lines = [line for line in report.execution.skipped_lines if isinstance(line, str)]
    bare = [line for line in lines if line.lstrip().startswith(("!", "%"))]  # "!ls", "%pip install x"
    notes = [printable(line[0].upper() + line[1:]) for line in lines if line not in bare]
    return notes + ([printable(_("Not run at grading: {lines}").format(lines=", ".join(bare)))] if bare else [])
