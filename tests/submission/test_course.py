"""The one assignment lookup: what is asked for wins, then the metadata, then the file name; a
notebook whose metadata says otherwise is graded as asked and flagged."""

from __future__ import annotations

import argparse

import pytest

from grader.commands import course_from, data_from
from grader.errors import UnknownAssignment, UsageError
from grader.submission.course import Course, declared_assignment, default_course, mismatch_note

from conftest import ROOT

SOFTMAX, PREPROCESSING = "04_softmax_regression", "01_preprocessing"


@pytest.fixture(scope="module")
def course() -> Course:
    return Course(ROOT)


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
    assert course_from(args) == Course(tmp_path.resolve())
    assert data_from(args) == tmp_path / "fashion"
    assert default_course(ROOT) == Course(ROOT)  # the library itself reads no environment
    monkeypatch.chdir(tmp_path)
    assert default_course() == Course(ROOT)  # not a course folder: this repository
    with pytest.raises(UsageError, match="not a course folder"):
        course_from(argparse.Namespace(course=tmp_path, data=None))
