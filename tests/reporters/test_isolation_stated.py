"""Issue 12, part 3: every output says which isolation graded the submission (terminal table,
our JSON, Gradescope's results.json, the Classroom result, the feedback files, the batch CSV and
summary), and where it was not bubblewrap, what that means: the note the pipeline puts in the
report's reason (`grader.execute.sandbox.isolation_note`), shown as it was written. The platform
formats keep to the fields of /work/shared/result-formats.md."""

from __future__ import annotations

import concurrent.futures as cf
import csv
import html
import io
import json
from pathlib import Path

import pytest

from grader.batch.cache import ResultCache
from grader.batch.run import run_batch
from grader.execute.sandbox import isolation_note
from grader.options import GradeOptions, SandboxPolicy
from grader.reporters import classroom, csv_gradebook, feedback, gradescope, json_report, summary, table
from grader.results import BatchResult, CheckResult, CheckStatus, GradeReport, GradeStatus
from grader.results import Isolation, Outcome, RowStatus, ungradable_report
from grader.submission.discover import Entry

NOTEBOOK = "/srv/in/alice/04_softmax_regression.ipynb"
# The fields each platform documents (result-formats.md); nothing else may appear.
GRADESCOPE_TOP = {"score", "execution_time", "output", "output_format", "test_output_format",
                  "test_name_format", "visibility", "stdout_visibility", "extra_data", "tests",
                  "leaderboard"}
GRADESCOPE_TEST = {"score", "max_score", "status", "name", "name_format", "number", "output",
                   "output_format", "tags", "visibility", "extra_data"}
CLASSROOM_TOP = {"version", "status", "max_score", "tests"}
CLASSROOM_TEST = {"name", "status", "score", "message", "test_code", "filename", "line_no",
                  "duration"}


def note_for(isolation: Isolation) -> str:
    """What the pipeline writes in the reason of a report graded with `isolation`."""
    return isolation_note(isolation, SandboxPolicy(use_bubblewrap=False))


def graded_with(isolation: Isolation) -> GradeReport:
    checks = (CheckResult("softmax: sums to one", 1.0, 1.0, CheckStatus.PASSED, number="1",
                          function="softmax"),
              CheckResult("softmax: stable", 0.0, 2.0, CheckStatus.FAILED, number="2",
                          message="overflow for large inputs", function="softmax"))
    return GradeReport(submission=NOTEBOOK, assignment="04_softmax_regression",
                       status=GradeStatus.GRADED, checks=checks, isolation=isolation,
                       reason=note_for(isolation), duration=3.5, student="alice")


def every_view(report: GradeReport) -> dict[str, str]:
    outcome = Outcome("alice", Path(NOTEBOOK), report, RowStatus(report.status.value))
    files = feedback.render_files([outcome])
    return {"table": table.render(report), "json": json_report.render(report),
            "gradescope": json.loads(gradescope.render(report))["output"],
            "classroom": classroom.render(report), "feedback.md": files["alice.md"],
            "feedback.html": html.unescape(files["alice.html"]), "csv": csv_gradebook.render([outcome]),
            "summary": summary.render(BatchResult((outcome,)))}


@pytest.mark.parametrize("isolation", list(Isolation))
def test_every_output_names_the_isolation_and_what_a_weaker_one_means(isolation):
    report = graded_with(isolation)
    note = note_for(isolation)
    assert (note == "") == (isolation is Isolation.BUBBLEWRAP)
    for where, text in every_view(report).items():
        token_only = where in ("json", "csv", "summary")  # data: the token, and the reason
        named = isolation.value if token_only else isolation.words
        if where == "table":  # the token as README shows it; words too when it is weaker
            named = isolation.value + ("" if isolation is Isolation.BUBBLEWRAP
                                       else f" ({isolation.words})")
        assert named in text, f"{where} does not name the isolation"
        assert note in text, f"{where} does not say what {isolation.value} means"
        if isolation is Isolation.BUBBLEWRAP:
            assert "NOT ISOLATED" not in text and "no bubblewrap sandbox" not in text, where


def test_table_says_it_on_the_notes_line():
    lines = table.render(graded_with(Isolation.RLIMITS)).splitlines()
    notes = lines[-1]
    assert notes.startswith("isolation: rlimits (resource limits only, NOT isolated); graded in 3.5 s")
    assert note_for(Isolation.RLIMITS) in notes
    bubblewrap = table.render(graded_with(Isolation.BUBBLEWRAP)).splitlines()[-1]
    assert bubblewrap == "isolation: bubblewrap; graded in 3.5 s"  # as README and docs show it


@pytest.mark.parametrize("isolation", list(Isolation))
def test_gradescope_states_it_in_output_with_only_documented_fields(isolation):
    data = json.loads(gradescope.render(graded_with(isolation)))
    assert set(data) <= GRADESCOPE_TOP
    assert all(set(test) <= GRADESCOPE_TEST for test in data["tests"])
    assert isinstance(data["output"], str) and f"Isolation: {isolation.words}" in data["output"]
    assert data["extra_data"] == {"isolation": isolation.value}
    assert data["score"] == 1.0 and [t["score"] for t in data["tests"]] == [1.0, 0.0]


@pytest.mark.parametrize("isolation", list(Isolation))
def test_classroom_states_it_in_every_message_and_keeps_its_scores(isolation):
    data = json.loads(classroom.render(graded_with(isolation)))
    assert set(data) == CLASSROOM_TOP and data["version"] == 1
    assert all(set(test) <= CLASSROOM_TEST for test in data["tests"])
    assert (data["status"], data["max_score"]) == ("fail", 3)
    assert [(t["status"], t["score"]) for t in data["tests"]] == [("pass", 1), ("fail", 0)]
    for test in data["tests"]:  # the reporter prints a message only where a test did not pass
        assert f"Isolation: {isolation.words}" in test["message"]
        assert note_for(isolation) in test["message"]
        assert "\n" not in test["message"]
    passed, failed = data["tests"]
    assert failed["message"].startswith("overflow for large inputs.")
    assert "overflow" not in passed["message"]


def test_classroom_result_of_an_ungradable_notebook_stays_one_error_test():
    report = ungradable_report(NOTEBOOK, "04_softmax_regression", f"{NOTEBOOK}: not valid JSON")
    data = classroom.to_data(report)
    assert [t["status"] for t in data["tests"]] == ["error"]
    assert "Isolation" not in data["tests"][0]["message"]  # no kernel ran: nothing to name


def test_nothing_is_claimed_where_no_kernel_ran():
    report = ungradable_report(NOTEBOOK, "04_softmax_regression", f"{NOTEBOOK}: not valid JSON",
                               student="alice")
    views = every_view(report)
    for where in ("table", "gradescope", "classroom", "feedback.md", "feedback.html"):
        assert "isolation" not in views[where].lower(), where
    assert "extra_data" not in gradescope.to_data(report)
    assert next(csv.DictReader(io.StringIO(views["csv"])))["isolation"] == ""
    assert json.loads(views["summary"])["submissions"][0]["isolation"] is None


def test_csv_has_an_isolation_column_per_row():
    outcomes = [Outcome(student, Path(NOTEBOOK), graded_with(isolation), RowStatus.GRADED)
                for student, isolation in [("alice", Isolation.BUBBLEWRAP),
                                           ("bob", Isolation.UNPRIVILEGED_USER),
                                           ("carol", Isolation.RLIMITS)]]
    rows = list(csv.DictReader(io.StringIO(csv_gradebook.render(outcomes))))
    assert [row["isolation"] for row in rows] == ["bubblewrap", "unprivileged-user", "rlimits"]
    assert rows[2]["reason"] == note_for(Isolation.RLIMITS) and rows[0]["reason"] == ""


def grade_with_rlimits(entry: Entry, options: GradeOptions) -> tuple[GradeReport, RowStatus]:
    """A fake batch grader (no kernel): the report a worker makes without bubblewrap."""
    report = graded_with(Isolation.RLIMITS)
    return GradeReport(str(entry.path), report.assignment, report.status, report.checks,
                       isolation=report.isolation, reason=report.reason), RowStatus.GRADED


def test_batch_rows_carry_the_isolation_to_the_csv_fresh_and_from_the_state_folder(tmp_path):
    notebook = tmp_path / "in" / "alice.ipynb"
    notebook.parent.mkdir()
    notebook.write_text("{}")
    cache = ResultCache(tmp_path / "state")
    for cached in (False, True):  # graded now, then read back from the state folder
        with cf.ThreadPoolExecutor(max_workers=1) as executor:
            result = run_batch([Entry("alice", notebook)], GradeOptions(), executor, cache,
                               grader=grade_with_rlimits)
        (row,) = result.outcomes
        assert row.cached is cached and row.report.isolation is Isolation.RLIMITS
        (line,) = csv.DictReader(io.StringIO(csv_gradebook.render(result.outcomes)))
        assert line["isolation"] == "rlimits" and "NOT ISOLATED" in line["reason"]
