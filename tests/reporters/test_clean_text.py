"""What a person reads stays what the grader wrote: a student's error message, cell output or
file name cannot recolour, erase or redraw a line of the terminal (a forged green "Total:
17/17"), reorder text (bidirectional overrides), start a line of its own, or be a workflow
command that GitHub Actions obeys (`::error::`, `::add-mask::` at a line's start, `##[error]`
anywhere). Checked on every output, built by hand from the worst text a student can send (no
kernel), and once for real from a warm kernel's errors, which name its folder on the host."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from grader.options import sandbox_policy
from grader.batch.progress import ProgressDisplay
from grader.batch.run import Progress
from grader.commands import grade
from grader.execute.sandbox import bubblewrap_available
from grader.warm.kernels import WarmKernels
from grader.pipeline import grade as grade_notebook_in
from grader.reporters import class_page, classroom, csv_gradebook, feedback, gradescope
from grader.reporters import json_report, summary, table
from grader.reporters.text import NEWLINE_MARK, printable, student_safe, without_paths
from grader.results import BatchResult, CellRecord, CheckResult, CheckStatus, ExecutionSummary
from grader.results import GradeReport, GradeStatus, Outcome, RowStatus, to_dict
from grader.submission.discover import student_id

from conftest import COURSE

ASSIGNMENT = "04_softmax_regression"
# Up two lines, erase, back to the line's start, a green total; then lines of their own that
# GitHub Actions would obey; a right-to-left override; an 8-bit CSI, DEL, an undecodable byte.
HOSTILE = ("\x1b[2A\x1b[2K\r\x1b[32mTotal: 17/17\x1b[0m\n::error::forged\r\n  ::add-mask::s3cret"
           " \u202eevil\u202c \x9b2J \x7f ##[error]legacy \udcff\u2028::warning::w\ttab")
# What may never reach a terminal, a log or a file: controls (a line break only where the
# output's own layout puts it), bidi controls, separators, lone surrogates.
UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069"
                    "\ud800-\udfff]")
KERNEL_FOLDER = "/tmp/grader-warm-k2j3_xab/0123456789ab/work"
HOSTILE_PATH = f"/srv/in/\x1b[31m::error::bad\n{ASSIGNMENT}.ipynb"


def hostile_report() -> GradeReport:
    checks = (
        CheckResult("softmax: sums to one", 1.0, 1.0, CheckStatus.PASSED, number="1"),
        CheckResult("softmax: stable", 0.0, 2.0, CheckStatus.FAILED, number="2",
                    message=f"softmax(X) raised ValueError: {HOSTILE}", detail=HOSTILE),
        CheckResult("softmax: shape", 0.0, 1.0, CheckStatus.ERROR, number="3",
                    message=HOSTILE, detail=HOSTILE),
    )
    cells = (CellRecord(0, "error", f"ValueError: {HOSTILE}"), CellRecord(1, "timeout", HOSTILE))
    return GradeReport(
        submission=HOSTILE_PATH, assignment=ASSIGNMENT, status=GradeStatus.GRADED, checks=checks,
        execution=ExecutionSummary(cells=cells, skipped_lines=(f"!echo {HOSTILE}",)),
        reason=f"the notebook says it is for {HOSTILE}")


def assert_clean(text: str, where: str, one_line: bool = False, layout: str = "") -> None:
    """No control character (line breaks, and `layout`, only as the output's own layout), no
    line that GitHub Actions reads as a command."""
    unsafe = [c for c in UNSAFE.findall(text) if c not in layout]
    assert not unsafe, (where, unsafe, text)
    assert "##[" not in text, (where, text)
    for line in text.split("\n"):
        assert not line.lstrip().startswith("::"), (where, line)
    if one_line:
        assert "\n" not in text, (where, text)


# -- the function every reporter uses -----------------------------------------------------------

def test_printable_shows_every_control_as_an_escape():
    shown = printable(HOSTILE)
    assert_clean(shown, "printable", one_line=True)
    assert shown.startswith("\\u001b[2A\\u001b[2K\\r\\u001b[32mTotal: 17/17")
    assert f"{NEWLINE_MARK}::error::forged{NEWLINE_MARK}  ::add-mask::" in shown  # mid-line
    assert "\\u202eevil\\u202c" in shown and "\\u009b2J" in shown and "\\u007f" in shown
    assert "#\\u0023[error]legacy" in shown and "\\udcff" in shown and "\\ttab" in shown
    assert printable(shown) == shown  # twice is once
    ordinary = "softmax(x) is wrong: 1/2, é, 中, a[::2]"
    assert printable(ordinary) == ordinary


@pytest.mark.parametrize("text", ["::error::x", "   ::add-mask::s", "\u2003::error::x"])
def test_printable_leaves_no_command_leading_a_line(text):
    assert_clean(printable(text), text)
    assert printable(text).lstrip().startswith("\\u003a:")


def test_printable_keeps_a_json_text_valid_and_its_meaning():
    data = {"message": HOSTILE, "name": "::error::x", "list": ["##[warning]y", "\x85"]}
    text = printable(json.dumps(data, indent=2, ensure_ascii=False), keep_newlines=True)
    assert_clean(text, "json")
    assert json.loads(text) == data


def test_the_kernels_working_folder_is_never_shown():
    for shown in (f"FileNotFoundError: [Errno 2] No such file: '{KERNEL_FOLDER}/x.csv'",
                  f"ValueError: cwd{KERNEL_FOLDER}", f"ValueError: file://{KERNEL_FOLDER}/a",
                  f"OSError: {KERNEL_FOLDER[1:]}/data", "ValueError: /tmp/grader-ab_cd123/work/x"):
        assert "grader-" not in without_paths(shown) and "/tmp" not in without_paths(shown), shown
        assert "grader-" not in student_safe(shown), shown
    assert without_paths(f"No such file: '{KERNEL_FOLDER}/x.csv'") == "No such file: './x.csv'"
    assert without_paths("the grader-side check") == "the grader-side check"


# -- the terminal table, the JSON formats ------------------------------------------------------

def test_the_table_cannot_be_redrawn_or_forged():
    text = table.render(hostile_report(), width=100)
    assert_clean(text, "table")
    assert [line for line in text.split("\n") if line.startswith("Total:")] == ["Total: 1/4"]
    assert "\\u001b[32mTotal: 17/17" in text  # shown, not obeyed


@pytest.mark.parametrize("width", [56, 60, 77, 100])
def test_a_wrapped_line_never_starts_with_a_command(width):
    """textwrap may break a long message anywhere: the line it starts is indented, and GitHub
    Actions trims the indent before it looks for `::`."""
    for words in range(40):
        message = "word " * words + "::error::wrapped ::add-mask::x"
        report = GradeReport(submission="a.ipynb", assignment=ASSIGNMENT,
                             status=GradeStatus.GRADED,
                             checks=(CheckResult("f: c", 0, 1, CheckStatus.FAILED,
                                                 message=message),))
        assert_clean(table.render(report, width=width), f"{width} {words}")


def test_classroom_names_and_messages_are_one_clean_line_each():
    """The reporter prints each test's name and message in the workflow's log."""
    text = classroom.render(hostile_report())
    assert_clean(text, "classroom JSON")
    data = json.loads(text)
    for test in data["tests"]:
        for key in ("name", "message", "filename", "test_code"):
            assert_clean(test.get(key, ""), f"classroom {key}", one_line=True)
    assert data["max_score"] == 4 and sum(t["score"] for t in data["tests"]) == 1


def test_gradescope_outputs_are_clean():
    text = gradescope.render(hostile_report())
    assert_clean(text, "gradescope JSON")
    data = json.loads(text)
    assert_clean(data["output"], "gradescope output", one_line=True)
    for test in data["tests"]:
        assert_clean(test["output"] + test["name"], "gradescope test", one_line=True)


def test_the_full_json_report_is_clean_and_means_the_same():
    report = hostile_report()
    text = json_report.render(report)
    assert_clean(text, "json report")
    assert json.loads(text) == json.loads(json.dumps(to_dict(report)))


# -- the batch: progress and listing -----------------------------------------------------------

def hostile_outcome(raw_name: str = "\x1b[2K\r::error::x\nmallory\u202e") -> Outcome:
    report = hostile_report()
    return Outcome(student_id(raw_name), Path(report.submission), report, RowStatus.GRADED)


@pytest.mark.parametrize("interactive", [False, True])
def test_progress_lines_are_ours(interactive):
    stream = io.StringIO()
    display = ProgressDisplay(stream, interactive=interactive)
    display(Progress(total=2, workers=1, done=1, counts={"graded": 1}, last=hostile_outcome()))
    display(Progress(total=2, workers=1, done=2, counts={"graded": 2}, last=hostile_outcome()))
    written = stream.getvalue().replace("\r\x1b[K", "")  # the display's own redraw
    assert_clean(written, "progress")
    assert len(written.splitlines()) == (1 if interactive else 2)


def test_the_listing_has_one_line_per_submission(capsys):
    outcomes = (hostile_outcome(), hostile_outcome("::add-mask::s"), hostile_outcome("-rf"))
    grade._print_listing(BatchResult(outcomes), Path(".grader-state"))
    listing = capsys.readouterr().out
    assert_clean(listing, "listing", layout="\t")
    rows = listing.splitlines()
    assert len(rows) == 3 and all(len(row.split("\t")) == 5 for row in rows)
    assert rows[1].startswith("\\u003a:add-mask::s\t") and rows[2].startswith("\\u002drf\t")


def test_skipped_notebooks_are_said_on_stderr(tmp_path, capsys):
    (tmp_path / "..ipynb").write_text("{}")
    (tmp_path / ".\x1b[2Kx.ipynb").write_text("{}")
    (tmp_path / ".##[error]x.ipynb").write_text("{}")
    assert grade.main([str(tmp_path)]) == 2  # nothing left to grade
    err = capsys.readouterr().err
    assert_clean(err, "stderr")
    skipped = [line for line in err.splitlines() if line.startswith("grade: skipped ")]
    assert len(skipped) == 3 and all("begins with '.'" in line for line in skipped)
    assert any(line.startswith(f"grade: skipped {tmp_path}/..ipynb: ") for line in skipped)



# -- the files: feedback, gradebook CSV, summary, class page -------------------------------------

def test_the_files_hold_no_raw_control_and_no_command():
    outcomes = (hostile_outcome(), hostile_outcome("-rf"), hostile_outcome("::error::name"))
    files = feedback.render_files(outcomes)
    assert not [name for name in files if name[0] in "-." or "/" in name]
    files.update({"gradebook.csv": csv_gradebook.render(outcomes),
                  "summary.json": summary.render(BatchResult(outcomes))})
    for name, text in files.items():
        assert_clean(text, name)
    assert json.loads(files["summary.json"])["submissions"][0]["reason"] == hostile_report().reason


def test_the_class_page_holds_no_raw_control_and_no_command():
    outcomes = (hostile_outcome(), hostile_outcome("-rf"))
    assert_clean(class_page.render(outcomes), "class page")


# -- for real: a warm kernel's errors ------------------------------------------------------------

def with_cells(notebook: dict, *sources: str) -> dict:
    cells = [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
              "source": source} for source in sources]
    return {**notebook, "cells": notebook["cells"] + cells}


@pytest.mark.notebook
@pytest.mark.hostile
@pytest.mark.skipif(not bubblewrap_available(), reason="needs bubblewrap")
def test_a_warm_kernels_errors_show_no_host_folder_and_no_escape(tmp_path, options):
    """The student's own errors name the kernel's folder and carry escapes and commands; the
    table, the feedback and the Classroom result show `./` and escapes, one line each."""
    solved = json.loads((COURSE / "solutions" / f"{ASSIGNMENT}.ipynb").read_text())
    path = tmp_path / f"{ASSIGNMENT}.ipynb"
    path.write_text(json.dumps(with_cells(
        solved, "import os\nraise ValueError('in' + os.getcwd())",
        "open(os.path.join(os.getcwd(), 'missing.csv'))",
        "raise ValueError('\\x1b[2A\\x1b[2K\\x1b[32mTotal: 17/17\\x1b[0m\\n::error::forged')",
        "def softmax(X):\n    raise OSError(os.getcwd() + '/data.csv \\x1b[31m\\n::add-mask::x')")))
    with WarmKernels(sandbox_policy(options), ahead=1) as warm:
        report = grade_notebook_in(path, options, warm.start)
        assert warm.forked == 1
    assert "grader-warm-" in "".join(c.message for c in report.checks)  # what the kernel said
    outcome = Outcome("alice", path, report, RowStatus.GRADED)
    views = {"table": table.render(report), "classroom": classroom.render(report),
             **feedback.render_files([outcome])}
    for where, text in views.items():
        assert "grader-warm-" not in text and str(tmp_path) not in text, where
        assert_clean(text, where)
    assert "No such file or directory: './missing.csv'" in views["table"]
    assert "raised OSError at line 2 of " in views["table"] and "): ./data.csv" in views["table"]
