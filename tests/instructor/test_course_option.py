"""`--course DIR` adds a course folder to the built-in course, is said in one text for both
commands, and is accepted before or after grade-admin's subcommand; a missing solution is an
unknown assignment (7), never a malformed one (9)."""

from __future__ import annotations

import io
import shutil
import zipfile

import pytest

from grader.commands import COURSE_HELP, grade, grade_admin
from grader.instructor.generate import generate_for_course
from grader.submission.course import Course

from conftest import COURSE, ROOT

EXAMPLE = ROOT / "examples" / "course"


@pytest.fixture
def mine(tmp_path):
    """A course folder holding the worked example's solution and checks, nothing generated."""
    for part in ("solutions", "checks"):
        (tmp_path / "mine" / part).mkdir(parents=True)
    shutil.copy(EXAMPLE / "solutions" / "dropout.ipynb", tmp_path / "mine" / "solutions")
    shutil.copy(EXAMPLE / "checks" / "dropout.py", tmp_path / "mine" / "checks")
    return tmp_path / "mine"


@pytest.mark.parametrize("placement", ["before", "after"])
def test_course_before_or_after_the_subcommand(mine, placement, capsys):
    argv = ["--course", str(mine), "generate"] if placement == "before" else ["generate", "--course", str(mine)]
    assert grade_admin.main(argv) == 0
    written = mine / "assignments" / "dropout.ipynb"
    assert capsys.readouterr().out.splitlines() == [str(written.resolve())]
    assert written.read_bytes() == (EXAMPLE / "assignments" / "dropout.ipynb").read_bytes()


def test_the_subcommands_course_wins_over_the_one_before_it(mine, tmp_path, capsys):
    (tmp_path / "other" / "checks").mkdir(parents=True)
    assert grade_admin.main(["--course", str(tmp_path / "other"), "generate", "--course", str(mine)]) == 0
    assert capsys.readouterr().out.strip() == str((mine / "assignments" / "dropout.ipynb").resolve())


@pytest.mark.parametrize("placement", ["before", "after"])
def test_a_course_assignment_and_a_builtin_one_in_one_command(mine, tmp_path, placement):
    for assignment in ("dropout", "04_softmax_regression"):
        course = ["--course", str(mine)]
        command = ["gradescope", assignment, "--output", str(tmp_path / f"{assignment}.zip")]
        assert grade_admin.main(course + command if placement == "before" else command + course) == 0
        names = zipfile.ZipFile(io.BytesIO((tmp_path / f"{assignment}.zip").read_bytes())).namelist()
        assert f"course/checks/{assignment}.py" in names and f"course/solutions/{assignment}.ipynb" in names


def test_generate_writes_each_assignment_beside_its_own_solution(mine, tmp_path):
    builtin = tmp_path / "builtin"
    shutil.copytree(COURSE / "solutions", builtin / "solutions")
    course = Course(mine.resolve(), (builtin,))
    assert generate_for_course(course) == [mine.resolve() / "assignments" / "dropout.ipynb"]  # its own only
    assert generate_for_course(course, ["05_mlp", "dropout"]) == [
        builtin / "assignments" / "05_mlp.ipynb", mine.resolve() / "assignments" / "dropout.ipynb"]
    assert (builtin / "assignments" / "05_mlp.ipynb").read_bytes() == (
        COURSE / "assignments" / "05_mlp.ipynb").read_bytes()


@pytest.mark.parametrize("argv", [
    ["gradescope", "dropout", "--output", "{tmp}/a.zip"],
    ["classroom", "dropout", "--output", "{tmp}/template"],
    ["validate", "dropout"],
    ["generate", "dropout"],
])
def test_a_missing_solution_is_an_unknown_assignment(mine, tmp_path, argv, capsys):
    (mine / "solutions" / "dropout.ipynb").unlink()
    argv = [part.format(tmp=tmp_path) for part in argv]
    assert grade_admin.main(["--course", str(mine), *argv]) == 7
    err = capsys.readouterr().err
    assert err.startswith("grade-admin: unknown assignment 'dropout'") and err.count("\n") == 1
    assert "no solution notebook" in err
    assert not (tmp_path / "a.zip").exists() and not (tmp_path / "template").exists()


@pytest.mark.parametrize("command", [grade, grade_admin])
def test_one_text_says_what_course_does(command, capsys):
    with pytest.raises(SystemExit):
        command.main(["--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert " ".join(COURSE_HELP.split()) in text
    assert "added to the built-in course" in COURSE_HELP and "an id in both is DIR's" in COURSE_HELP
