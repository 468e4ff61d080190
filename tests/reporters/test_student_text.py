"""Nothing internal in what a student reads: no path of the grading machine, no error class of
the grader, no module name, no status token, in the table, the feedback, Gradescope's and
Classroom's results. Reports are built by hand with the worst reasons and cells the grader
writes, and once for real from malformed notebooks (no kernel starts for those)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader.pipeline import GradeOptions, grade_or_explain
from grader.reporters import FORMATS, classroom, feedback, gradescope, table
from grader.reporters.text import cell_note, number, points, student_safe, without_paths
from grader.results import CellRecord, CellStatus, CheckResult, CheckStatus, ExecutionSummary
from grader.results import GradeReport, GradeStatus, Isolation, Outcome, RowStatus
from grader.results import ungradable_report

from conftest import ROOT

NOTEBOOK = "/home/grader/term/in/alice/04_softmax_regression.ipynb"
INTERNAL = ["/home/", "/srv/", "RuntimeError", "EnvironmentProblem", "NotebookUnreadable",
            "KernelUnavailable", "grader.", "timeout-kill", "killed-kernel"]


def not_graded(reason: str) -> tuple[CheckResult, ...]:
    return tuple(CheckResult(f"softmax: check {n}", 0.0, 1.0, CheckStatus.FAILED,
                             message=f"not graded: {reason}", detail=reason, number=str(n))
                 for n in (1, 2))


UNREADABLE = ungradable_report(NOTEBOOK, "04_softmax_regression",
                               f"{NOTEBOOK}: not valid JSON (line 1: Expecting value)",
                               checks=not_graded(f"{NOTEBOOK}: not valid JSON"))
CHECKS_BROKEN = ungradable_report(
    NOTEBOOK, "04_softmax_regression",
    "the grader failed: RuntimeError: the checks in /srv/course/checks/04_softmax_regression.py "
    "could not be run (pytest exit 2)")
AUTOGRADER_FAILED = ungradable_report(
    "/autograder/submission", "04_softmax_regression",
    "the autograder failed (EnvironmentProblem); your instructor has been told")
CELLS = (CellRecord(0, "ok"),
         CellRecord(1, "error", "ZeroDivisionError: division by zero"),
         CellRecord(2, "timeout", "stopped after the cell's 60 s time limit"),
         CellRecord(3, "timeout-kill", "stopped after the cell's 60 s time limit "
                                       "(the kernel had to be restarted)"),
         CellRecord(4, "killed-kernel", "the kernel died while running this cell"),
         CellRecord(5, "skipped", "the notebook's time budget was spent"))
BROKEN_CELLS = GradeReport(
    submission=NOTEBOOK, assignment="04_softmax_regression", status=GradeStatus.GRADED,
    checks=(CheckResult("softmax: sums to one", 1.0, 1.0, CheckStatus.PASSED, number="1"),
            CheckResult("softmax: stable", 0.0, 2.0, CheckStatus.FAILED, number="2",
                        message="not graded: KernelUnavailable: the kernel is gone "
                                "(grader.checking.plugin)"),
            CheckResult("softmax: raises", 0.0, 1.0, CheckStatus.FAILED, number="3",
                        message="softmax(X) raised ValueError at line 3: no")),
    execution=ExecutionSummary(cells=CELLS, kernel_restarts=1), isolation=Isolation.BUBBLEWRAP,
    reason="the notebook's kernel could not be kept alive; checks that need it got no credit")
REPORTS = [UNREADABLE, CHECKS_BROKEN, AUTOGRADER_FAILED, BROKEN_CELLS]


def student_views(report: GradeReport) -> dict[str, str]:
    """Everything a student may read of `report`, by where it appears."""
    views = {"table": table.render(report), "gradescope": gradescope.render(report),
             "classroom": classroom.render(report)}
    status = RowStatus(report.status.value)
    for row in (status, RowStatus.ERROR):
        files = feedback.render_files([Outcome("alice", Path(report.submission), report, row)])
        views.update({f"feedback {row.value} {name}": text for name, text in files.items()})
    return views


@pytest.mark.parametrize("report", REPORTS, ids=["unreadable", "checks broken",
                                                  "autograder failed", "broken cells"])
def test_no_internal_word_reaches_a_student(report):
    for where, text in student_views(report).items():
        for word in INTERNAL:
            assert word not in text, (where, word, text)


def test_the_problem_and_the_file_name_stay():
    views = student_views(UNREADABLE)
    for where in ("table", "gradescope", "classroom", "feedback ungradable alice.md"):
        text = views[where].replace("\\_", "_")  # Markdown escapes '_'
        assert "04_softmax_regression.ipynb: not valid JSON" in text, where
    assert "not graded: the grader failed: the checks in 04_softmax_regression.py could not be " \
        "run (pytest exit 2)" in student_views(CHECKS_BROKEN)["table"]
    assert "the autograder failed; your instructor has been told" in \
        json.loads(gradescope.render(AUTOGRADER_FAILED))["output"]


def test_cells_are_told_in_words():
    views = student_views(BROKEN_CELLS)
    for where in ("table", "feedback graded alice.md", "feedback graded alice.html"):
        text = views[where]
        for status in set(CellStatus) - {CellStatus.OK}:
            assert status.words in text, (where, status)
        assert "ZeroDivisionError: division by zero" in text  # the student's own error
    assert "softmax(X) raised ValueError at line 3: no" in views["classroom"]
    assert "cell 4: stopped: took too long (timeout), and the kernel was restarted" in views["table"]


def test_every_cell_status_has_student_words():
    for status in CellStatus:
        assert status.words and status.words != status.value and "-" not in status.words


def test_student_safe_keeps_what_is_not_internal():
    assert student_safe("score 1/2 and/or f() failed") == "score 1/2 and/or f() failed"
    assert student_safe("NotebookTooOld: format 3 (grader.submission.notebook)") == "format 3"
    assert student_safe("the grader failed: EnvironmentProblem") == "the grader failed: an error"
    assert without_paths("see ~/course/checks/x.py and /tmp/a/b") == "see x.py and b"
    assert without_paths("x/y.ipynb: bad", "x/y.ipynb") == "y.ipynb: bad"
    assert cell_note(CellRecord(2, CellStatus.TIMEOUT)) == "Cell 3: stopped: took too long (timeout)"


def test_points_are_whole_numbers_when_whole():
    assert (points(17.0), points(1.5), points(0.1 + 0.2)) == ("17", "1.5", "0.3")
    assert isinstance(number(2.0), int) and number(2.5) == 2.5


def test_the_single_report_formats_keep_their_names():
    assert sorted(FORMATS) == ["classroom", "gradescope", "json", "table"]
    assert all(isinstance(FORMATS[name](BROKEN_CELLS), str) for name in FORMATS)


@pytest.mark.parametrize("content", ['{"cells": [', "[1, 2, 3]", '{"nbformat": 3, "cells": []}'],
                         ids=["not JSON", "not a notebook", "too old"])
def test_malformed_notebooks_leak_nothing(tmp_path, content):
    deep = tmp_path / "grading-machine" / "in" / "alice"
    deep.mkdir(parents=True)
    path = deep / "04_softmax_regression.ipynb"
    path.write_text(content)
    report = grade_or_explain(path, GradeOptions())
    assert report.status is GradeStatus.UNGRADABLE and report.checks
    for where, text in student_views(report).items():
        assert str(tmp_path) not in text and str(ROOT) not in text, (where, text)
        assert "Error" not in text and "grader." not in text, (where, text)
