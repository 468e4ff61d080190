"""The batch and platform reporters, on hand-made reports (no kernel)."""

from __future__ import annotations

import base64
import csv
import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from grader.results import BatchResult, CheckResult, CheckStatus, GradeReport, GradeStatus
from grader.results import Outcome, RowStatus
from grader.reporters import class_page, classroom, csv_gradebook, feedback, summary

SECRET = "expected tensor([0.25, 0.75]) for the hidden input X = [[1., 2.]]"


def check(name: str, points: float, passed: bool, hidden: bool = False, number: str = "1",
          status: CheckStatus | None = None) -> CheckResult:
    message = "" if passed else ("hidden check: wrong answer" if hidden else f"{name} was wrong")
    return CheckResult(name=name, points=points if passed else 0.0, max_points=points,
                       status=status or (CheckStatus.PASSED if passed else CheckStatus.FAILED),
                       hidden=hidden, message=message, detail="" if passed else SECRET,
                       number=number, function=name.split(":")[0], duration=0.0123)


def graded(student: str, *passes: bool, assignment: str = "04_softmax_regression") -> Outcome:
    checks = (check("softmax: sums to one", 1, passes[0], number="1"),
              check("softmax: matches the reference", 2, passes[1], number="2"),
              check("cross_entropy: gradients", 1, passes[2], hidden=True, number="3"))
    report = GradeReport(submission=f"/srv/in/{student}.ipynb", assignment=assignment,
                         status=GradeStatus.GRADED, checks=checks, student=student, duration=3.2)
    return Outcome(student, Path(f"/srv/in/{student}.ipynb"), report, RowStatus.GRADED)


def ungradable(student: str) -> Outcome:
    path = f"/srv/in/{student}.ipynb"
    report = GradeReport(submission=path, assignment=None, status=GradeStatus.UNGRADABLE,
                         reason=f"{path}: not valid JSON (line 1: Expecting value)", student=student)
    return Outcome(student, Path(path), report, RowStatus.UNGRADABLE)


def failed_grader(student: str) -> Outcome:
    report = GradeReport(submission=f"/srv/in/{student}.ipynb", assignment=None,
                         status=GradeStatus.UNGRADABLE, student=student,
                         reason="the grader failed: EnvironmentProblem: bwrap: no permission")
    return Outcome(student, Path(report.submission), report, RowStatus.ERROR)


OUTCOMES = [graded("alice", True, True, True), graded("bob", True, False, False),
            graded("=cmd|' /C calc'!A0", False, False, False), ungradable("dave"), failed_grader("erin")]


# -- CSV ---------------------------------------------------------------------------------------

def test_csv_has_a_row_per_submission_and_a_column_per_check():
    rows = list(csv.DictReader(io.StringIO(csv_gradebook.render(OUTCOMES))))
    assert [r["student"] for r in rows] == ["alice", "bob", "'=cmd|' /C calc'!A0", "dave", "erin"]
    alice, bob, _, dave, erin = rows
    assert alice["softmax: matches the reference"] == "2" and alice["total"] == "4"
    assert (bob["softmax: sums to one"], bob["softmax: matches the reference"]) == ("1", "0")
    assert (bob["total"], bob["maximum"], bob["status"]) == ("1", "4", "graded")
    assert dave["status"] == "ungradable" and "not valid JSON" in dave["reason"]
    assert dave["softmax: sums to one"] == "" and dave["total"] == "0"
    assert erin["status"] == "error"


def test_csv_names_columns_by_assignment_when_there_are_several():
    text = csv_gradebook.render([graded("alice", True, True, True),
                                 graded("alice", True, True, True, assignment="05_mlp")])
    header = next(csv.reader(io.StringIO(text)))
    assert "04_softmax_regression: softmax: sums to one" in header
    assert "05_mlp: softmax: sums to one" in header


# -- feedback ----------------------------------------------------------------------------------

def test_feedback_never_shows_details_and_escapes_html():
    files = feedback.render_files(OUTCOMES)
    assert {"alice.md", "alice.html", "bob.md", "dave.md", "erin.html"} <= set(files)
    for name, text in files.items():
        assert SECRET not in text, name
        assert "/srv/in" not in text, name  # no paths of the grading machine
        assert "EnvironmentProblem" not in text, name  # nor the grader's own errors
    assert "hidden check: wrong answer" in files["bob.md"]
    assert "3 of 4 points" not in files["bob.md"] and "1 of 4 points" in files["bob.md"]
    hostile = [n for n in files if n.endswith(".html") and n.startswith("cmd")]
    assert hostile and "<script" not in files[hostile[0]]
    assert "not valid JSON" in files["dave.md"]
    assert "problem on the grading side" in files["erin.md"]


def test_feedback_file_names_are_safe():
    assert feedback.file_stem("../../etc/passwd") == "etc_passwd"
    assert feedback.file_stem("alice smith") == "alice_smith"
    assert feedback.file_stem("...") == "student"


# -- Classroom ---------------------------------------------------------------------------------

def test_classroom_scores_sum_to_the_total():
    data = classroom.to_data(OUTCOMES[1].report)
    assert data["version"] == 1 and data["status"] == "fail"
    assert data["max_score"] == sum(t_max for t_max in (1, 2, 1)) == 4
    assert sum(t["score"] for t in data["tests"]) == 1
    assert [t["status"] for t in data["tests"]] == ["pass", "fail", "fail"]
    for test in data["tests"]:
        assert set(test) >= {"name", "status", "score", "test_code", "filename", "line_no", "duration"}
        assert isinstance(test["score"], int) and test["filename"] == "bob.ipynb"
        assert SECRET not in json.dumps(test)
    assert "message" not in data["tests"][0]  # as command-grader: no message on pass


def test_classroom_result_always_has_tests():
    data = classroom.to_data(OUTCOMES[3].report)
    assert data["status"] == "error" and data["max_score"] == 0
    assert len(data["tests"]) == 1 and data["tests"][0]["status"] == "error"
    assert data["tests"][0]["score"] == 0 and "/srv/in" not in data["tests"][0]["message"]
    full = classroom.to_data(OUTCOMES[0].report)
    assert full["status"] == "pass" and full["max_score"] == 4


def test_classroom_marks_checks_that_could_not_judge_as_errors():
    report = GradeReport(submission="x.ipynb", assignment="a", status=GradeStatus.GRADED,
                         checks=(check("f: x", 1.5, False, status=CheckStatus.ERROR),))
    data = classroom.to_data(report)
    assert data["tests"][0]["status"] == "error" and data["max_score"] == 1.5


# -- summary and class report ------------------------------------------------------------------

def test_summary_counts_rows_and_pass_rates():
    data = json.loads(summary.render(BatchResult(tuple(OUTCOMES), version="0.1.0+x")))
    assert data["counts"] == {"graded": 3, "ungradable": 1, "error": 1, "not run": 0}
    rates = data["assignments"]["04_softmax_regression"]["pass_rates"]
    assert rates["softmax: sums to one"] == round(2 / 3, 4)
    assert len(data["submissions"]) == 5


def test_class_page_embeds_a_png_and_counts_failures():
    page = class_page.render(OUTCOMES)
    start = page.index("data:image/png;base64,") + len("data:image/png;base64,")
    png = base64.b64decode(page[start:page.index("'", start)])
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    failures = class_page.common_failures(OUTCOMES)
    assert failures[0][2] == 2  # two submissions failed the same way
    assert "<script" not in page and "http" not in page.replace("http-equiv", "")


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(chromium() is None, reason="needs the Debian package chromium")
def test_class_page_renders_in_headless_chromium(tmp_path):
    page = tmp_path / "report.html"
    page.write_text(class_page.render(OUTCOMES, feedback_link="feedback"), encoding="utf-8")
    dom = subprocess.run(
        [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120, check=True,
    ).stdout
    assert '<table class="pass-rates">' in dom
    assert "softmax: matches the reference" in dom
    assert '<img class="score-distribution"' in dom and 'src="data:image/png;base64,' in dom
    assert '<table class="students">' in dom and 'href="feedback/alice.html"' in dom
    assert '<span class="hidden-check">hidden</span>' in dom
    assert '<span class="suspect">suspect: check the check</span>' in dom
