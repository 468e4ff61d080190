"""The one assignment lookup: what is asked for wins, then the metadata, then the file name; a
notebook whose metadata says otherwise is graded as asked and flagged."""

from __future__ import annotations

import argparse

import pytest

from grader.commands import course_from, data_from
from grader.errors import UnknownAssignment, UsageError
from grader.submission.course import (BUILTIN_ROOT, Course, declared_assignment, default_course,
                                      mismatch_note)

from conftest import COURSE

SOFTMAX, PREPROCESSING = "04_softmax_regression", "01_preprocessing"


@pytest.fixture(scope="module")
def course() -> Course:
    return Course(COURSE)


def test_what_is_asked_for_wins_over_metadata_and_file_name(course):
    chosen = course.assignment_for(SOFTMAX, declared=PREPROCESSING, file_stem=PREPROCESSING)
    assert chosen.id == SOFTMAX


def test_metadata_wins_over_the_file_name(course):
    assert course.assignment_for(declared=SOFTMAX, file_stem=PREPROCESSING).id == SOFTMAX


def test_the_file_name_is_the_last_resort(course):
    assert course.assignment_for(file_stem=SOFTMAX).id == SOFTMAX
    assert course.assignment_for(declared="99_gone", file_stem=SOFTMAX).id == SOFTMAX


@pytest.mark.parametrize("asked, declared, stem, words", [
    ("99_nothing", SOFTMAX, SOFTMAX, "unknown assignment '99_nothing'"),  # asked for: no fallback
    (None, "99_gone", "mine", "unknown assignment '99_gone' (from the notebook's metadata)"),
    (None, None, "mine", "no assignment id (the file name 'mine' is none; give --assignment)"),
])
def test_unknown_assignments(course, asked, declared, stem, words):
    with pytest.raises(UnknownAssignment) as raised:
        course.assignment_for(asked, declared=declared, file_stem=stem)
    assert words in str(raised.value) and SOFTMAX in str(raised.value)
    assert raised.value.exit_status == 7


def test_a_notebook_graded_as_another_assignment_is_flagged(course):
    softmax = course.assignment_for(SOFTMAX, declared=PREPROCESSING)
    assert mismatch_note(PREPROCESSING, softmax) == (
        f"this notebook says it is for {PREPROCESSING}; graded as {SOFTMAX}")
    assert mismatch_note(SOFTMAX, softmax) == "" and mismatch_note(None, softmax) == ""


@pytest.mark.parametrize("metadata, declared", [
    ({"grader": {"assignment": SOFTMAX}}, SOFTMAX),
    ({"grader": {"assignment": ""}}, None),
    ({"grader": {"assignment": 4}}, None),
    ({"grader": "04"}, None),
    ({}, None),
    (None, None),
])
def test_declared_assignment_reads_only_a_proper_id(metadata, declared):
    assert declared_assignment(metadata) == declared


def test_the_environment_is_read_at_the_command_edge(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADER_COURSE", str(tmp_path))
    monkeypatch.setenv("GRADER_FASHION_MNIST", str(tmp_path / "fashion"))
    args = argparse.Namespace(course=None, data=None)
    assert course_from(args) == Course(tmp_path.resolve(), (COURSE,))  # on top of the built-in one
    assert data_from(args) == tmp_path / "fashion"
    assert default_course(COURSE) == Course(COURSE)  # the library itself reads no environment
    monkeypatch.chdir(tmp_path)
    assert default_course() == Course(COURSE)  # not a course folder: this repository
    with pytest.raises(UsageError, match="not a course folder"):
        course_from(argparse.Namespace(course=tmp_path, data=None))


# -- a course folder adds to the built-in course ------------------------------------------------

def make_course(root, checks=(), solutions=()):
    for part, ids, suffix in (("checks", checks, ".py"), ("solutions", solutions, ".ipynb")):
        (root / part).mkdir(parents=True, exist_ok=True)
        for assignment_id in ids:
            (root / part / f"{assignment_id}{suffix}").write_text("")
    return root


def test_a_course_folder_adds_to_the_builtin_course_and_wins_on_a_shared_id(tmp_path):
    mine = make_course(tmp_path / "mine", checks=["dropout", SOFTMAX], solutions=["dropout", SOFTMAX])
    course = Course.adding_to_builtin(mine)
    assert course == Course(mine.resolve(), (BUILTIN_ROOT,)) and BUILTIN_ROOT == COURSE
    assert set(course.assignments) == {"dropout", *Course(COURSE).assignments}
    assert course.assignments["dropout"].checks == mine.resolve() / "checks" / "dropout.py"
    assert course.assignments[SOFTMAX].solution == mine.resolve() / "solutions" / f"{SOFTMAX}.ipynb"
    assert course.assignments[PREPROCESSING].solution == COURSE / "solutions" / f"{PREPROCESSING}.ipynb"
    assert list(course.assignments) == sorted(course.assignments)
    assert course.assignments["dropout"].generated == mine.resolve() / "assignments" / "dropout.ipynb"
    assert course.assignments[PREPROCESSING].generated == COURSE / "assignments" / f"{PREPROCESSING}.ipynb"
    hidden = set(course.private_paths)
    assert {mine.resolve() / "solutions", mine.resolve() / "checks", COURSE / "solutions",
            COURSE / "checks"} <= hidden
    assert Course.adding_to_builtin(COURSE) == Course(COURSE)  # the built-in course, once


def test_the_working_folder_adds_to_the_builtin_course_too(tmp_path):
    mine = make_course(tmp_path / "mine", checks=["dropout"], solutions=["dropout"])
    assert default_course(mine) == Course(mine.resolve(), (COURSE,))


@pytest.mark.parametrize("checks, solutions, words", [
    (["dropout"], [], "unknown assignment 'dropout' (it has checks but no solution notebook)"),
    ([], ["dropout"], "unknown assignment 'dropout' (it has a solution notebook but no checks)"),
])
def test_a_missing_solution_or_checks_file_is_an_unknown_assignment(tmp_path, checks, solutions, words):
    course = Course.adding_to_builtin(make_course(tmp_path / "mine", checks, solutions))
    with pytest.raises(UnknownAssignment) as raised:
        course.assignment_for("dropout")
    assert words in str(raised.value) and raised.value.exit_status == 7
    assert str(tmp_path) not in raised.value.problem  # a student may read it: no paths


def test_no_course_at_all_says_to_give_one(tmp_path):
    with pytest.raises(UnknownAssignment, match="no course found: give the course folder with --course"):
        Course(tmp_path).assignment_for("dropout")


def test_a_path_like_id_probes_no_file_outside_the_course(tmp_path):
    outside = tmp_path / "elsewhere" / "checks"
    outside.mkdir(parents=True)
    (outside / "secret.py").write_text("")  # would say "it has checks but no solution notebook"
    course = Course(tmp_path / "course")
    for asked in ("../../elsewhere/checks/secret", str(outside / "secret"), "a/b"):
        with pytest.raises(UnknownAssignment) as raised:
            course.assignment_for(asked)
        assert "has checks" not in str(raised.value), asked
    (tmp_path / "course" / "checks").mkdir(parents=True)
    (tmp_path / "course" / "checks" / "mine.py").write_text("")
    with pytest.raises(UnknownAssignment) as raised:  # a plain id still gets the hint
        course.assignment_for("mine")
    assert "it has checks but no solution notebook" in str(raised.value)
