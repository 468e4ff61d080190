"""The class view: the one-row-per-student gradebook, the Canvas and Moodle files, and the class
page's students, hidden checks, suspect checks and look-alike submissions (hand-made rows, no
kernel)."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timezone
from pathlib import Path

from grader.reporters import class_page, gradebook, lms
from grader.results import NOTEBOOK_FINGERPRINT, CheckResult, CheckStatus, GradeReport
from grader.results import GradeStatus, Outcome, RowStatus

SOFTMAX, MLP = "04_softmax_regression", "05_mlp"
DETAIL = "softmax(X) returned rows summing to 2.0; the reference sums to 1 (input X = [[1., 2.]])"
CODE = ("def softmax(v0):\n    v1 = torch.exp(v0 - v0.max(dim=1, keepdim=True).values)\n"
        "    return v1 / v1.sum(dim=1, keepdim=True) + 0 * torch.ones_like(v1)")


def check(name: str, points: float, passed: bool, hidden: bool = False) -> CheckResult:
    return CheckResult(name, points if passed else 0.0, points,
                       CheckStatus.PASSED if passed else CheckStatus.FAILED, hidden=hidden,
                       message="" if passed else ("hidden check: wrong answer" if hidden else "wrong"),
                       detail="" if passed else DETAIL, function=name.split(":")[0])


def graded(student: str, assignment: str, *passes: bool, notebook: str = "",
           code: str = "") -> Outcome:
    checks = (check("softmax: rows sum to one", 1, passes[0]),
              check("softmax: matches the reference", 2, passes[1]),
              check("softmax: stable for large inputs", 1, passes[2], hidden=True))
    fingerprints = tuple(pair for pair in ((NOTEBOOK_FINGERPRINT, notebook), ("softmax", code))
                         if pair[1])
    report = GradeReport(f"/srv/in/{student}/{assignment}.ipynb", assignment, GradeStatus.GRADED,
                         checks=checks, student=student, fingerprints=fingerprints)
    return Outcome(student, Path(report.submission), report, RowStatus.GRADED)


def ungradable(student: str, assignment: str) -> Outcome:
    checks = tuple(CheckResult(n, 0, p, CheckStatus.ERROR, message="not graded")
                   for n, p in (("relu: zeros", 2), ("relu: keeps positives", 3)))
    report = GradeReport(f"/srv/in/{student}/{assignment}.ipynb", assignment,
                         GradeStatus.UNGRADABLE, checks=checks, reason="not valid JSON", student=student)
    return Outcome(student, Path(report.submission), report, RowStatus.UNGRADABLE)


def mlp(student: str, earned: float) -> Outcome:
    checks = (CheckResult("relu: zeros", min(earned, 2), 2, CheckStatus.PASSED),
              CheckResult("relu: keeps positives", max(earned - 2, 0), 3, CheckStatus.PASSED))
    report = GradeReport(f"/srv/in/{student}/{MLP}.ipynb", MLP, GradeStatus.GRADED, checks=checks,
                         student=student)
    return Outcome(student, Path(report.submission), report, RowStatus.GRADED)


def grader_error(student: str) -> Outcome:
    report = GradeReport(f"/srv/in/{student}/x.ipynb", None, GradeStatus.UNGRADABLE,
                         reason="the grader failed: no kernel", student=student)
    return Outcome(student, Path(report.submission), report, RowStatus.ERROR)


OUTCOMES = [
    graded("alice", SOFTMAX, True, True, True, notebook="aaa", code=CODE), mlp("alice", 5),
    graded("bob", SOFTMAX, True, False, False, notebook="aaa", code=CODE),  # alice's file
    ungradable("bob", MLP),
    graded("carol", SOFTMAX, False, False, False, notebook="ccc", code=CODE),  # alice's code
    grader_error("dave"),  # handed in nothing gradable: listed, every assignment empty
]


def table(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_the_gradebook_has_one_row_per_student_and_a_total_per_assignment():
    text = gradebook.render(OUTCOMES)
    assert text.splitlines()[0] == f"student,{SOFTMAX},{MLP},total,max,notes"
    alice, bob, carol, dave = table(text)
    assert [alice[SOFTMAX], alice[MLP], alice["total"], alice["max"]] == ["4", "5", "9", "9"]
    assert [bob[SOFTMAX], bob[MLP], bob["total"]] == ["1", "0", "1"]  # ungradable: 0, marked
    assert f"{MLP}: ungradable: not valid JSON" in bob["notes"]
    assert carol[MLP] == "" and f"{MLP}: missing" in carol["notes"]  # missing: empty, marked
    assert (dave["student"], dave[SOFTMAX], dave[MLP], dave["total"]) == ("dave", "", "", "0")
    assert "grader error" in dave["notes"]


def test_late_is_judged_by_the_file_time_against_a_deadline():
    deadline = gradebook.parse_deadline("2026-03-01T23:59+00:00")
    times = {"alice": datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc),
             "bob": datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)}
    rows = table(gradebook.render(OUTCOMES, deadline, clock=lambda p: times.get(p.parent.name)))
    assert "late (2026-03-02 08:00)" in rows[0]["notes"] and rows[0][SOFTMAX] == "4"
    assert "late" not in rows[1]["notes"]
    assert gradebook.parse_deadline("2026-03-01T23:59").tzinfo is not None  # local time


def test_several_notebooks_for_one_assignment_the_best_counts():
    rows = table(gradebook.render([mlp("alice", 2), mlp("alice", 4)]))
    assert rows[0][MLP] == "4" and "2 notebooks" in rows[0]["notes"]


def test_the_canvas_file_has_canvas_columns_and_points_possible():
    rows = list(csv.reader(io.StringIO(lms.render("canvas", OUTCOMES))))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", SOFTMAX, MLP]
    assert rows[1][0].strip() == "Points Possible" and rows[1][5:] == ["4", "5"]
    by_login = {row[3]: row[5:] for row in rows[2:]}
    assert by_login == {"alice": ["4", "5"], "bob": ["1", "0"], "carol": ["0", ""],
                        "dave": ["", ""]}


def test_the_moodle_file_has_a_username_column():
    rows = list(csv.reader(io.StringIO(lms.render("moodle", OUTCOMES))))
    assert rows[0] == ["username", SOFTMAX, MLP]
    assert rows[1] == ["alice", "4", "5"] and rows[3] == ["carol", "0", ""]


def test_formulas_are_defused_in_every_spreadsheet():
    hostile = [mlp("=cmd|' /C calc'!A0", 5)]
    for text in (gradebook.render(hostile), lms.render("canvas", hostile), lms.render("moodle", hostile)):
        assert "\n=" not in text and ",=" not in text


def test_the_page_links_each_student_to_their_feedback():
    page = class_page.render(OUTCOMES, feedback_link="../feedback")
    for student in ("alice", "bob", "carol", "dave"):
        assert f"href='../feedback/{student}.html'" in page
    assert "href='../feedback" not in class_page.render(OUTCOMES)  # no feedback, no links
    assert class_page.relative_link(Path("/out/report/class.html"), Path("/out/feedback")) == "../feedback"


def test_the_page_shows_hidden_checks_marked_and_in_full():
    page = class_page.render(OUTCOMES)
    rows = re.findall(r"<tr><td></td><td>softmax: stable for large inputs(.*?)</tr>", page)
    assert rows and all("class='hidden-check'>hidden</span>" in row for row in rows)
    assert DETAIL.replace("'", "&#x27;") in page  # the instructor sees the full detail
    assert "For the instructor only" in page


def test_checks_failing_for_half_the_class_are_suspect():
    assert class_page.suspect_checks(OUTCOMES) == ["softmax: matches the reference",
                                                  "softmax: stable for large inputs"]
    page = class_page.render(OUTCOMES)
    assert page.count("suspect: check the check") >= 2
    assert class_page.suspect_checks(OUTCOMES[:1]) == []  # one submission is not a pattern
    one_failure = [graded("x", SOFTMAX, True, False, True), graded("y", SOFTMAX, True, True, True)]
    assert class_page.suspect_checks(one_failure) == []  # at least two must fail


def test_the_page_flags_look_alike_submissions():
    page = class_page.render(OUTCOMES)
    assert "identical notebook</span>: alice, bob" in page
    assert "identical code</span>: alice, bob, carol" in page
    assert "identical notebook with bob" in page  # in alice's row of the students table


def test_the_page_marks_missing_ungradable_and_late():
    page = class_page.render(OUTCOMES, deadline=datetime(2000, 1, 1, tzinfo=timezone.utc),
                             clock=lambda path: datetime(2001, 1, 1, tzinfo=timezone.utc))
    assert "<span class='mark'>ungradable</span>" in page
    assert "class='missing'" in page and "<span class='late'>late</span>" in page


def test_histogram_counts_whole_submissions():
    axes = class_page.score_figure([1, 2, 2, 3], 4, "scores").axes[0]
    ticks = [tick for tick in axes.get_yticks() if 0 <= tick <= 2]
    assert len(ticks) >= 2 and all(float(tick).is_integer() for tick in ticks)
