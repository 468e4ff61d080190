"""The commands' edge: one error-to-exit handler for both, `--help` built from ExitStatus, a
closed pipe ends quietly, and a broken checks file is one line and status 9, not a traceback."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

import grader.pipeline
from grader.commands import grade, grade_admin
from grader.errors import ExitStatus
from grader.execute.run import Execution
from grader.results import ExecutionSummary

from conftest import COURSE, ROOT

ASSIGNMENT = "04_softmax_regression"
BROKEN = "99_broken_checks"
COMMANDS = {"grade": grade, "grade-admin": grade_admin}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_help_lists_every_exit_status_and_names_no_module(command, capsys):
    with pytest.raises(SystemExit):
        COMMANDS[command].main(["--help"])
    text = capsys.readouterr().out
    epilog = text[text.index("exit status:"):]
    for status in ExitStatus:
        assert f"{int(status):>3}  {status.description}" in epilog, status
    assert "grader." not in text


def test_every_exit_status_has_a_description():
    assert all(status.description for status in ExitStatus)
    assert ExitStatus.AUTHORING == 9 and ExitStatus.DATASET == 10  # numbers never change


def test_format_has_a_help_text(capsys):
    with pytest.raises(SystemExit):
        grade.main(["--help"])
    options = capsys.readouterr().out.split("\noptions:", 1)[1]
    assert "Classroom" in options[options.index("--format"):options.index("--output")]


@pytest.fixture
def notebook(tmp_path):
    path = tmp_path / "mine.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell("x = 1")]), path)
    return path


def test_unknown_assignment_is_7_in_both_commands(notebook, tmp_path, capsys):
    assert grade.main([str(notebook), "--assignment", "99_nothing"]) == 7
    assert grade.main([str(notebook)]) == 7  # neither metadata nor file name names one
    assert grade_admin.main(["gradescope", "99_nothing", "--output", str(tmp_path / "a.zip")]) == 7
    assert grade_admin.main(["classroom", "99_nothing", "--output", str(tmp_path / "t")]) == 7
    assert grade_admin.main(["generate", "99_nothing"]) == 7
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 5 and all("unknown assignment" in line or "no assignment id" in line
                                   for line in lines)
    assert not (tmp_path / "a.zip").exists() and not (tmp_path / "t").exists()


def test_an_internal_error_is_one_line_and_status_1(notebook, monkeypatch, capsys):
    def bug(path, options):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(grade, "grade_notebook", bug)
    assert grade.main([str(notebook)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "internal error" in err and "ZeroDivisionError" not in err
    with pytest.raises(ZeroDivisionError):
        grade.main([str(notebook), "--debug"])


def test_unreadable_notebook_output_names_no_path(tmp_path, capsys):
    broken = tmp_path / f"{ASSIGNMENT}.ipynb"
    broken.write_text("{not json")
    out = tmp_path / "result.json"
    assert grade.main([str(broken), "--format", "json", "--output", str(out)]) == 4
    reason = json.loads(out.read_text())["reason"]
    assert reason.startswith("not valid JSON (line 1") and str(tmp_path) not in reason


@pytest.fixture
def broken_checks_course(tmp_path):
    course = tmp_path / "course"
    for part in ("checks", "solutions"):
        (course / part).mkdir(parents=True)
    # its own id: pytest keeps a checks module loaded under its name for the whole process
    shutil.copy(COURSE / "solutions" / f"{ASSIGNMENT}.ipynb", course / "solutions" / f"{BROKEN}.ipynb")
    (course / "checks" / f"{BROKEN}.py").write_text("import pytest\n\ndef broken(:\n    pass\n")
    return course


class NoKernel:
    def close(self) -> None:
        pass


def test_a_checks_file_with_a_syntax_error_is_one_line_and_status_9(
        broken_checks_course, notebook, tmp_path, monkeypatch, capsys):
    # No kernel is needed to reach the checks: the notebook's run is stood in for.
    monkeypatch.setattr(grader.pipeline, "start_kernel", lambda policy: NoKernel())
    monkeypatch.setattr(grader.pipeline, "execute_notebook",
                        lambda *args, **kwargs: Execution(kernel=None, summary=ExecutionSummary()))
    out = tmp_path / "result.json"
    status = grade.main([str(notebook), "--course", str(broken_checks_course), "--assignment",
                         BROKEN, "--format", "classroom", "--output", str(out)])
    assert status == ExitStatus.AUTHORING
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("grade: ") and "line 3" in err
    result = json.loads(out.read_text())
    shown = json.dumps(result)
    assert result["status"] == "error" and "broken" in shown
    for internal in (str(tmp_path), "SyntaxError", "AuthoringError", "Traceback", "grader."):
        assert internal not in shown


def _closed_pipe(args: list[str], cwd) -> subprocess.CompletedProcess:
    """Run a command whose stdout reader has gone before it writes (as `| head -1` does)."""
    read, write = os.pipe()
    os.close(read)
    try:
        return subprocess.run([sys.executable, "-m", *args], stdout=write, stderr=subprocess.PIPE,
                              text=True, cwd=cwd, timeout=120)
    finally:
        os.close(write)


@pytest.mark.notebook
def test_a_closed_pipe_ends_quietly(tmp_path):
    (tmp_path / "in").mkdir()
    for name in ("alice", "bob"):
        (tmp_path / "in" / f"{name}.ipynb").write_text("[]")
    helped = _closed_pipe(["grader.commands.grade", "--help"], cwd=ROOT)
    assert helped.stderr == ""  # argparse itself ignores the closed pipe
    listed = _closed_pipe(["grader.commands.grade", str(tmp_path / "in"), "--cold", "-j", "1",
                           "--state", str(tmp_path / "state")], cwd=ROOT)
    assert "Traceback" not in listed.stderr and "Exception ignored" not in listed.stderr, listed.stderr
    assert listed.returncode == ExitStatus.OUTPUT_CLOSED
