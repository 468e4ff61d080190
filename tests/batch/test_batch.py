"""Batches: layouts, the resumable cache, the runner with a fake grader, and real batches."""

from __future__ import annotations

import concurrent.futures as cf
import csv
import io
import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from grader.batch.run import RowStatus, grade_entry, run_batch
from grader.batch.cache import ResultCache, grader_version, result_key
from grader.commands.grade import main
from grader.submission.course import Course
from grader.submission.discover import Entry, discover
from grader.pipeline import GradeOptions
from grader.batch.progress import ProgressDisplay
from grader.results import CheckResult, CheckStatus, GradeReport, GradeStatus
from grader.results import report_from_dict, to_dict

from conftest import COURSE

ASSIGNMENT = "04_softmax_regression"
SOLVED = COURSE / "solutions" / f"{ASSIGNMENT}.ipynb"
UNTOUCHED = COURSE / "assignments" / f"{ASSIGNMENT}.ipynb"
FAST = ["--cell-timeout", "10", "--budget", "120"]


def read_csv(path: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_text())))


def touch(path: Path, text: str = "{}") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


# -- layouts -----------------------------------------------------------------------------------

def test_student_per_file(tmp_path):
    touch(tmp_path / "alice.ipynb")
    touch(tmp_path / "bob.ipynb")
    touch(tmp_path / "notes.txt")
    touch(tmp_path / ".ipynb_checkpoints" / "alice-checkpoint.ipynb")
    assert discover([tmp_path], {ASSIGNMENT}) == [
        Entry("alice", tmp_path / "alice.ipynb"), Entry("bob", tmp_path / "bob.ipynb")]


def test_student_per_folder(tmp_path):
    touch(tmp_path / "alice" / f"{ASSIGNMENT}.ipynb")
    touch(tmp_path / "alice" / "scratch.ipynb")  # not an assignment: left alone
    touch(tmp_path / "bob" / "my work.ipynb")  # the only notebook: graded
    found = discover([tmp_path], {ASSIGNMENT})
    assert found == [Entry("alice", tmp_path / "alice" / f"{ASSIGNMENT}.ipynb", ASSIGNMENT),
                     Entry("bob", tmp_path / "bob" / "my work.ipynb")]
    # one student's folder, or one notebook in it, given directly
    assert discover([tmp_path / "alice"], {ASSIGNMENT}) == found[:1]
    assert discover([tmp_path / "alice" / f"{ASSIGNMENT}.ipynb"], {ASSIGNMENT}) == found[:1]


def test_github_classroom_clones(tmp_path):
    for user in ("alice", "bob-smith", "carol"):
        repo = tmp_path / f"softmax-regression-{user}"
        (repo / ".git").mkdir(parents=True)
        touch(repo / "notebooks" / f"{ASSIGNMENT}.ipynb")
    found = discover([tmp_path], {ASSIGNMENT})
    assert [e.student for e in found] == ["alice", "bob-smith", "carol"]
    assert found[0].path == tmp_path / "softmax-regression-alice" / "notebooks" / f"{ASSIGNMENT}.ipynb"
    # a lone clone named after a known assignment
    lone = tmp_path / "lone"
    (lone / "04-softmax-regression-dave" / ".git").mkdir(parents=True)
    touch(lone / "04-softmax-regression-dave" / f"{ASSIGNMENT}.ipynb")
    assert [e.student for e in discover([lone], {ASSIGNMENT})] == ["dave"]


def test_paths_given_twice_are_graded_once(tmp_path):
    notebook = touch(tmp_path / "alice.ipynb")
    assert len(discover([notebook, tmp_path, tmp_path / "missing.ipynb"], set())) == 2


# -- the cache ---------------------------------------------------------------------------------

@pytest.fixture
def small_course(tmp_path) -> Course:
    for part in ("checks", "solutions"):
        (tmp_path / "course" / part).mkdir(parents=True)
    shutil.copy(COURSE / "checks" / f"{ASSIGNMENT}.py", tmp_path / "course" / "checks")
    shutil.copy(SOLVED, tmp_path / "course" / "solutions")
    return Course(tmp_path / "course")


def test_result_key_follows_notebook_checks_solution_and_options(tmp_path, small_course):
    notebook = tmp_path / "alice.ipynb"
    shutil.copy(SOLVED, notebook)
    options = GradeOptions(course=small_course)
    key = result_key(notebook, options, "v1")
    assert result_key(notebook, options, "v1") == key
    assert result_key(notebook, options, "v2") != key
    assert result_key(notebook, GradeOptions(course=small_course, seed=1), "v1") != key
    checks = small_course.root / "checks" / f"{ASSIGNMENT}.py"
    checks.write_text(checks.read_text() + "\n# edited\n")
    assert result_key(notebook, options, "v1") != key
    key = result_key(notebook, options, "v1")
    notebook.write_text(notebook.read_text().replace("stable for large logits", "stable"))
    assert result_key(notebook, options, "v1") != key
    assert result_key(tmp_path / "missing.ipynb", options, "v1")  # no file: still a key
    lib = small_course.root / "lib" / "own_course"
    lib.mkdir(parents=True)
    (small_course.root / "course.toml").write_text('[checks]\npath = ["lib"]\n')
    (lib / "helpers.py").write_text("LIMIT = 1\n")
    key = result_key(notebook, options, "v1")
    (lib / "helpers.py").write_text("LIMIT = 2\n")  # a helper module the checks import changed
    assert result_key(notebook, options, "v1") != key


def test_grader_version_names_the_package():
    assert grader_version().startswith(("0.", "unknown"))


def test_reports_survive_the_cache(tmp_path):
    report = fake_grade(Entry("alice", Path("alice.ipynb")), GradeOptions())[0]
    cache = ResultCache(tmp_path)
    cache.store("k", report)
    assert cache.load("k") == report_from_dict(to_dict(report))
    assert cache.load("k") == report
    assert cache.load("other") is None
    (tmp_path / "results" / "k.json").write_text("{broken")
    assert cache.load("k") is None


# -- the runner, with a fake grader ------------------------------------------------------------

class InlineExecutor(cf.Executor):
    """Runs each call at once, in this thread."""

    def __init__(self) -> None:
        self.calls = 0

    def submit(self, fn, /, *args, **kwargs):  # Executor's signature
        self.calls += 1
        future: cf.Future = cf.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as error:  # noqa: BLE001 - as a real executor would
            future.set_exception(error)
        return future


def fake_grade(entry: Entry, options: GradeOptions) -> tuple[GradeReport, RowStatus]:
    """Scores 1 for a notebook whose text holds 'right', raises on 'crash'."""
    text = entry.path.read_text() if entry.path.exists() else ""
    if "crash" in text:
        raise RuntimeError("the grader broke")
    passed = "right" in text
    result = CheckResult("f: works", 1.0 if passed else 0.0, 1.0,
                         CheckStatus.PASSED if passed else CheckStatus.FAILED, message="f was wrong")
    return GradeReport(str(entry.path), "a", GradeStatus.GRADED, (result,), student=entry.student), \
        RowStatus.GRADED


def test_runner_grades_caches_and_skips(tmp_path):
    entries = [Entry(name, touch(tmp_path / "in" / f"{name}.ipynb", text))
               for name, text in [("alice", "right"), ("bob", "wrong"), ("carol", "crash")]]
    cache = ResultCache(tmp_path / "state")
    seen = []
    first = run_batch(entries, GradeOptions(), InlineExecutor(), cache, grader=fake_grade,
                      progress=lambda state: seen.append(state.done))
    assert [o.status for o in first.outcomes] == [RowStatus.GRADED, RowStatus.GRADED, RowStatus.ERROR]
    assert [o.report.score for o in first.outcomes] == [1.0, 0.0, 0.0]
    assert "the grader broke" in first.outcomes[2].report.reason
    assert seen[-1] == 3 and first.graded_now == 3

    executor = InlineExecutor()
    second = run_batch(entries, GradeOptions(), executor, cache, grader=fake_grade)
    assert executor.calls == 1  # only the grader failure is tried again
    assert [o.cached for o in second.outcomes] == [True, True, False]

    entries[1].path.write_text("now right")
    executor = InlineExecutor()
    third = run_batch(entries, GradeOptions(), executor, cache, grader=fake_grade)
    assert executor.calls == 2 and third.outcomes[1].report.score == 1.0

    executor = InlineExecutor()
    run_batch(entries, GradeOptions(), executor, cache, force=True, grader=fake_grade)
    assert executor.calls == 3


def test_runner_stops_on_interrupt_and_keeps_what_finished(tmp_path):
    entries = [Entry(f"s{i}", touch(tmp_path / f"s{i}.ipynb", "right")) for i in range(5)]

    def interrupting(entry: Entry, options: GradeOptions):  # fake grader
        if entry.student == "s2":
            raise KeyboardInterrupt
        return fake_grade(entry, options)

    result = run_batch(entries, GradeOptions(), InlineExecutor(), ResultCache(tmp_path / "state"),
                       grader=interrupting)
    assert result.interrupted
    # s3 was handed out before s2's result was taken (a worker is never left idle), so it was
    # running at the interrupt, and finished; s4 was still queued
    assert [o.status for o in result.outcomes] == [
        RowStatus.GRADED, RowStatus.GRADED, RowStatus.NOT_RUN, RowStatus.GRADED, RowStatus.NOT_RUN]
    assert len(list((tmp_path / "state" / "results").glob("*.json"))) == 1  # same text, one key


# -- real batches ------------------------------------------------------------------------------

def write_notebook(path: Path, source: Path, edit=None, metadata: dict | None = None) -> Path:
    notebook = nbformat.read(source, as_version=4)
    if edit:
        edit(notebook)
    if metadata:
        notebook.metadata.update(metadata)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)
    return path


def unstable_softmax(notebook) -> None:  # a NotebookNode
    cell = next(c for c in notebook.cells if "def softmax" in c.source)
    cell.source = cell.source.replace("torch.exp(X - X.max(dim=1, keepdim=True).values)", "torch.exp(X)")


def endless_loop_first(notebook) -> None:  # a NotebookNode
    notebook.cells.insert(0, nbformat.v4.new_code_cell("while True:\n    pass"))


def ten_submissions(folder: Path) -> dict[str, tuple[str, float | None]]:
    """Ten mixed submissions; student -> (expected status, expected score)."""
    write_notebook(folder / "alice.ipynb", SOLVED)
    write_notebook(folder / "bob.ipynb", SOLVED)
    write_notebook(folder / "carol" / f"{ASSIGNMENT}.ipynb", SOLVED)
    write_notebook(folder / "dave.ipynb", UNTOUCHED)
    write_notebook(folder / "erin.ipynb", UNTOUCHED)
    write_notebook(folder / "frank.ipynb", SOLVED, unstable_softmax)
    write_notebook(folder / "mallory.ipynb", SOLVED, endless_loop_first)
    touch(folder / "oscar.ipynb", '{"cells": [{"cell_type": "code", ')
    touch(folder / "peggy.ipynb", "[1, 2, 3]")
    write_notebook(folder / "trent.ipynb", SOLVED, metadata={"grader": {"assignment": "99_unknown"}})
    return {"alice": ("graded", 17), "bob": ("graded", 17), "carol": ("graded", 17),
            "dave": ("graded", 0), "erin": ("graded", 0), "frank": ("graded", 10),
            "mallory": ("graded", 17), "oscar": ("ungradable", None),
            "peggy": ("ungradable", None), "trent": ("ungradable", None)}


@pytest.fixture(scope="module")
def mixed_batch(tmp_path_factory):
    root = tmp_path_factory.mktemp("batch")
    expected = ten_submissions(root / "submissions")
    before = {p: p.read_bytes() for p in (root / "submissions").rglob("*") if p.is_file()}
    out = root / "out"
    args = [str(root / "submissions"), "-j", "2", *FAST, "--csv", str(out / "grades.csv"),
            "--summary", str(out / "summary.json"), "--report", str(out / "report.html"),
            "--feedback", str(out / "feedback")]
    started = time.monotonic()
    status = main(args)
    return {"root": root, "out": out, "args": args, "status": status, "expected": expected,
            "before": before, "seconds": time.monotonic() - started}


@pytest.mark.notebook
@pytest.mark.hostile
def test_every_submission_gets_its_row(mixed_batch):
    assert mixed_batch["status"] == 0
    rows = {r["student"]: r for r in read_csv(mixed_batch["out"] / "grades.csv")}
    assert set(rows) == set(mixed_batch["expected"])
    for student, (status, score) in mixed_batch["expected"].items():
        row = rows[student]
        assert row["status"] == status, (student, row)
        if score is not None:
            assert float(row["total"]) == score, (student, row)
            assert row["maximum"] == "17" and row["assignment"] == ASSIGNMENT
    assert rows["frank"]["softmax: stays finite for logits near 1000"] == "0"
    assert rows["frank"]["softmax: matches the reference on several inputs"] == "0"  # all or nothing: softmax failed a check
    assert "not valid JSON" in rows["oscar"]["reason"]
    assert "not a Jupyter notebook" in rows["peggy"]["reason"]
    assert "99_unknown" in rows["trent"]["reason"]
    assert rows["carol"]["submission"].endswith(f"carol/{ASSIGNMENT}.ipynb")


@pytest.mark.notebook
def test_batch_writes_feedback_summary_and_report(mixed_batch):
    out = mixed_batch["out"]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["counts"]["graded"] == 7 and summary["counts"]["ungradable"] == 3
    assert summary["graded_now"] == 10
    for student in mixed_batch["expected"]:
        assert (out / "feedback" / f"{student}.md").is_file()
        assert (out / "feedback" / f"{student}.html").is_file()
    assert "timeout" in (out / "feedback" / "mallory.md").read_text()
    assert "raised NotImplementedError" in (out / "feedback" / "dave.md").read_text()
    page = (out / "report.html").read_text()
    assert "data:image/png;base64," in page and "class='pass-rates'" in page
    for path, data in mixed_batch["before"].items():  # nothing submitted was touched
        assert path.read_bytes() == data


@pytest.mark.notebook
def test_rerun_grades_nothing(mixed_batch, capsys):
    started = time.monotonic()
    assert main(mixed_batch["args"]) == 0
    seconds = time.monotonic() - started
    summary = json.loads((mixed_batch["out"] / "summary.json").read_text())
    assert summary["graded_now"] == 0 and summary["from_cache"] == 10
    assert seconds < 5, seconds
    assert "(cached)" in capsys.readouterr().out
    rows = list(read_csv(mixed_batch["out"] / "grades.csv"))
    assert len(rows) == 10


@pytest.mark.notebook
def test_force_and_a_changed_notebook_are_graded_again(mixed_batch, tmp_path):
    state = mixed_batch["out"] / ".grader-state"
    assert state.is_dir()
    copy = tmp_path / "again"
    shutil.copytree(mixed_batch["root"] / "submissions", copy)
    (copy / "oscar.ipynb").write_text("still not JSON")
    summary = tmp_path / "summary.json"
    assert main([str(copy), "--state", str(state), "--summary", str(summary), *FAST]) == 0
    data = json.loads(summary.read_text())
    assert data["graded_now"] == 1 and data["from_cache"] == 9
    assert main([str(copy / "peggy.ipynb"), str(copy / "trent.ipynb"), "--state", str(state),
                 "--summary", str(summary), "--force"]) == 0
    assert json.loads(summary.read_text())["graded_now"] == 2


@pytest.mark.notebook
def test_ctrl_c_keeps_finished_results(tmp_path):
    for name in ("s1", "s2", "s3"):
        write_notebook(tmp_path / "in" / f"{name}.ipynb", SOLVED, metadata={"student": name})
    state = tmp_path / "state"
    command = [sys.executable, "-m", "grader.commands.grade", str(tmp_path / "in"), "-j", "1", *FAST,
               "--state", str(state), "--csv", str(tmp_path / "grades.csv")]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not list(state.glob("results/*.json")) and time.monotonic() < deadline:
        time.sleep(0.2)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 130, err
    assert "stopping" in err and "finished results are kept" in err
    rows = {r["student"]: r["status"] for r in read_csv(tmp_path / "grades.csv")}
    assert rows["s1"] == "graded" and rows["s3"] == "not run"
    assert rows["s2"] in ("graded", "not run")  # running when Ctrl-C came, unless just queued
    graded = sum(status == "graded" for status in rows.values())
    assert len(list(state.glob("results/*.json"))) == graded


def test_a_symbolic_link_is_not_graded(tmp_path):
    link = tmp_path / "eve.ipynb"
    link.symlink_to(SOLVED)  # the solution, by a link the student committed
    report, status = grade_entry(Entry("eve", link), GradeOptions())
    assert status is RowStatus.UNGRADABLE and report.checks == ()
    assert "symbolic link" in report.reason and report.student == "eve"


# -- the progress display ----------------------------------------------------------------------

def test_progress_is_plain_lines_off_a_terminal_and_one_line_on_it(tmp_path):
    entries = [Entry(name, touch(tmp_path / f"{name}.ipynb", name)) for name in ("right", "wrong")]
    plain, tty = io.StringIO(), io.StringIO()
    run_batch(entries, GradeOptions(), InlineExecutor(), grader=fake_grade,
              progress=ProgressDisplay(plain, interactive=False))
    lines = plain.getvalue().splitlines()
    assert lines[0].startswith("[1/2] right (a): graded 1/1")
    assert lines[1].startswith("[2/2] wrong (a): graded 0/1") and "done in" in lines[1]
    run_batch(entries, GradeOptions(), InlineExecutor(), grader=fake_grade,
              progress=ProgressDisplay(tty, interactive=True))
    drawn = tty.getvalue()
    assert drawn.count("\n") == 1 and "\r\033[K[2/2] 2 graded" in drawn


@pytest.mark.notebook
def test_cold_kernels_grade_alike(tmp_path):  # the mixed batch above ran on warm ones
    write_notebook(tmp_path / "in" / "alice.ipynb", SOLVED)
    write_notebook(tmp_path / "in" / "frank.ipynb", SOLVED, unstable_softmax)
    write_notebook(tmp_path / "in" / "dave.ipynb", UNTOUCHED)
    assert main([str(tmp_path / "in"), "-j", "1", "--cold", *FAST, "--csv", str(tmp_path / "g.csv")]) == 0
    rows = {r["student"]: r for r in read_csv(tmp_path / "g.csv")}
    assert {name: rows[name]["total"] for name in rows} == {"alice": "17", "frank": "10", "dave": "0"}


def test_workers_fall_back_to_cold_kernels(monkeypatch, capsys):
    import grader.warm.workers
    import grader.errors
    import grader.warm.kernels

    def broken(*args, **kwargs):  # WarmKernels' signature
        raise grader.errors.EnvironmentProblem("the warm kernels' fork server exited while starting")

    monkeypatch.setattr(grader.warm.kernels, "WarmKernels", broken)
    monkeypatch.setattr(grader.warm.workers, "_WARM", {})
    assert grader.warm.workers.warm_kernels(GradeOptions()) is grader.warm.workers.start_kernel
    assert "no warm kernels" in capsys.readouterr().err
