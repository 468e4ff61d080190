"""`grade`, in process: one notebook as before, batches, usage errors, the Classroom format."""

from __future__ import annotations

import csv
import io
import json

import pytest

import grader.commands.grade
from grader.commands.grade import main
from grader.errors import EnvironmentProblem

from conftest import COURSE

ASSIGNMENT = "04_softmax_regression"
SOLVED = COURSE / "solutions" / f"{ASSIGNMENT}.ipynb"


@pytest.fixture
def broken(tmp_path):
    path = tmp_path / "broken.ipynb"
    path.write_text('{"cells": [')
    return path


def test_one_malformed_notebook_keeps_its_exit_status(broken, capsys):
    assert main([str(broken)]) == 4
    assert "not valid JSON" in capsys.readouterr().err


def test_one_missing_notebook(tmp_path, capsys):
    assert main([str(tmp_path / "nowhere.ipynb")]) == 3
    assert "no such file" in capsys.readouterr().err


def test_output_is_written_even_when_the_notebook_cannot_be_graded(broken, tmp_path, capsys):
    out = tmp_path / "result.json"
    status = main([str(broken), "--assignment", ASSIGNMENT, "--format", "classroom", "--output", str(out)])
    assert status == 4
    data = json.loads(out.read_text())
    assert data["status"] == "error" and data["max_score"] == 17
    assert len(data["tests"]) == 14 and sum(t["score"] for t in data["tests"]) == 0
    assert all(t["status"] == "fail" for t in data["tests"])


def test_output_is_written_even_when_the_grader_fails(broken, tmp_path, monkeypatch, capsys):
    def no_kernel(path, options):  # grade_notebook's signature
        raise EnvironmentProblem("bwrap: setting up uid map: Permission denied")

    monkeypatch.setattr(grader.commands.grade, "grade_notebook", no_kernel)
    out = tmp_path / "result.json"
    assert main([str(broken), "--format", "classroom", "--output", str(out)]) == 8
    data = json.loads(out.read_text())
    assert data["status"] == "error" and data["tests"][0]["status"] == "error"
    assert "Permission denied" in capsys.readouterr().err


@pytest.mark.parametrize("extra", [["--csv", "x.csv"], ["--report", "r.html"], ["--state", "s"]])
def test_batch_options_need_a_batch(broken, extra, capsys):
    assert main([str(broken), *extra]) == 2
    assert "is for batches" in capsys.readouterr().err


def test_output_is_for_one_notebook(broken, tmp_path, capsys):
    assert main([str(broken.parent), "--output", str(tmp_path / "x.json")]) == 2
    assert "--output is for one notebook" in capsys.readouterr().err


def test_an_empty_folder_is_a_usage_error(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert main([str(tmp_path / "empty")]) == 2
    assert "no notebooks found" in capsys.readouterr().err


def test_jobs_must_be_positive(broken, capsys):
    assert main([str(broken.parent), "-j", "0"]) == 2


def test_a_batch_of_broken_files_needs_no_kernel(tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "alice.ipynb").write_text("[]")
    (folder / "bob.ipynb").write_bytes(b"\xff\xfe not text")
    (folder / "carol.ipynb").write_text('{"nbformat": 3, "worksheets": []}')
    out = tmp_path / "out"
    status = main([str(folder), str(folder / "alice.ipynb"), "-j", "2", "--csv", str(out / "g.csv"),
                   "--summary", str(out / "s.json")])
    assert status == 0
    captured = capsys.readouterr()
    assert captured.out.count("ungradable") == 3
    assert "[3/3]" in captured.err  # progress, as plain lines (stderr is not a terminal)
    rows = list(csv.DictReader(io.StringIO((out / "g.csv").read_text())))
    assert [(r["student"], r["status"]) for r in rows] == [
        ("alice", "ungradable"), ("bob", "ungradable"), ("carol", "ungradable")]
    assert "older than 4" in rows[2]["reason"]
    assert (out / ".grader-state" / "results").is_dir()  # the state folder sits beside the outputs


@pytest.mark.notebook
def test_one_solved_notebook_in_the_classroom_format(capsys):
    assert main([str(SOLVED), "--format", "classroom"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["version"] == 1 and data["status"] == "pass"
    assert data["max_score"] == 17 == sum(t["score"] for t in data["tests"])
    assert all(t["filename"] == SOLVED.name for t in data["tests"])
