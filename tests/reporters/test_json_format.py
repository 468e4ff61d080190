"""The report's dict form (the JSON format and the state folder's files) and its inverse."""

from __future__ import annotations

import json

import pytest

from grader.reporters import json_report
from grader.results import CellRecord, CellStatus, CheckResult, CheckStatus, ExecutionSummary
from grader.results import GradeReport, GradeStatus, Isolation, report_from_dict, to_dict
from grader.results import ungradable_report

REPORT = GradeReport(
    submission="in/alice.ipynb", assignment="04_softmax_regression", status=GradeStatus.GRADED,
    checks=(CheckResult("softmax: sums to one", 1.0, 1.0, CheckStatus.PASSED, duration=0.123456,
                        number="1", function="softmax"),),
    execution=ExecutionSummary(cells=(CellRecord(0, "timeout-kill", "stopped", 60.00001, number=1),),
                               kernel_restarts=1, duration=61.5, skipped_lines=("!ls",)),
    isolation=Isolation.RLIMITS, reason="partly", duration=62.25, student="alice")


def test_the_json_format_is_unchanged():
    assert to_dict(REPORT) == {
        "submission": "in/alice.ipynb", "assignment": "04_softmax_regression", "status": "graded",
        "checks": [{"name": "softmax: sums to one", "points": 1.0, "max_points": 1.0,
                    "status": "passed", "hidden": False, "message": "", "detail": "",
                    "duration": 0.1235, "number": "1", "function": "softmax"}],
        "execution": {"cells": [{"index": 0, "status": "timeout-kill", "summary": "stopped",
                                 "duration": 60.0, "number": 1}],
                      "kernel_restarts": 1, "duration": 61.5, "budget_exhausted": False,
                      "skipped_lines": ["!ls"]},
        "isolation": "rlimits", "reason": "partly", "duration": 62.25, "student": "alice",
        "score": 1.0, "max_score": 1.0}
    assert json.loads(json_report.render(REPORT)) == to_dict(REPORT)


def test_a_report_from_before_cell_numbers_reads_back():
    data = to_dict(REPORT)
    del data["execution"]["cells"][0]["number"]
    assert report_from_dict(data).execution.cells[0].number == 0  # not known


def test_the_dict_form_reads_back():
    again = report_from_dict(json.loads(json.dumps(to_dict(REPORT))))
    assert again.execution.cells[0].status is CellStatus.TIMEOUT_KILL
    assert again.checks[0].duration == 0.1235 and again.score == REPORT.score
    assert report_from_dict(to_dict(again)) == again
    with pytest.raises((KeyError, TypeError, ValueError)):
        report_from_dict({"submission": "x", "status": "no such status"})


def test_a_cell_status_is_an_enum_that_equals_its_token():
    cell = CellRecord(3, "killed-kernel")
    assert cell.status is CellStatus.KILLED_KERNEL and cell.status == "killed-kernel"
    assert cell.status in ("killed-kernel", "timeout-kill")
    assert CellRecord(3, CellStatus.OK) == CellRecord(3, "ok")
    with pytest.raises(ValueError):
        CellRecord(0, "exploded")


def test_an_ungradable_report_says_why():
    report = ungradable_report("in/x.ipynb", None, "not valid JSON", student="bob", duration=0.5)
    assert (report.status, report.submission, report.reason, report.student, report.checks) == \
        (GradeStatus.UNGRADABLE, "in/x.ipynb", "not valid JSON", "bob", ())
    assert report.score == 0 and report.isolation is None


def test_gradescope_shows_hidden_checks_only_after_publishing():
    import json as _json

    from grader.reporters import gradescope
    from grader.results import CheckResult, CheckStatus, GradeReport, GradeStatus

    report = GradeReport(submission="x.ipynb", assignment="05_mlp", status=GradeStatus.GRADED, checks=(
        CheckResult("relu: values", 1, 1, CheckStatus.PASSED),
        CheckResult("relu: edge cases", 0, 1, CheckStatus.FAILED, hidden=True,
                    message="hidden check: wrong answer", detail="relu(X) with X = [1e30]: off"),
    ))
    tests = _json.loads(gradescope.render(report))["tests"]
    assert [t["visibility"] for t in tests] == ["visible", "after_published"]
    assert "1e30" not in _json.dumps(tests)
