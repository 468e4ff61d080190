"""course.toml: a course's settings, read once per course folder and merged root first."""

from __future__ import annotations

import pytest

from grader.errors import AuthoringError
from grader.options import GradeOptions, sandbox_policy
from grader.submission import course as course_module
from grader.submission.course import Course
from grader.submission.course_settings import DEFAULT_KERNEL_PRELOAD, CourseSettings, read_settings

from conftest import COURSE


def make_course(folder, toml=None, parts=("kernel", "lib")):
    for part in ("solutions", "checks", *parts):
        (folder / part).mkdir(parents=True)
    if toml is not None:
        (folder / "course.toml").write_text(toml)
    return folder


def test_a_folder_without_course_toml_borrows_the_builtin_courses_checks_settings_only(tmp_path, monkeypatch):
    assert read_settings(make_course(tmp_path)) == CourseSettings()
    course, builtin = Course(tmp_path), Course(COURSE)
    assert (course.kernel_paths, course.kernel_preload) == ((), DEFAULT_KERNEL_PRELOAD)
    assert (course.checks_paths, course.settings.fixtures) == (builtin.checks_paths, builtin.settings.fixtures) != ((), ())
    (tmp_path / "course.toml").write_text('[kernel]\npath = ["kernel"]\n')  # as a student kit's
    assert Course(tmp_path).settings.fixtures == builtin.settings.fixtures
    (tmp_path / "course.toml").write_text('[checks]\npath = []\n')  # none asked for
    assert (Course(tmp_path).checks_paths, Course(tmp_path).settings.fixtures) == ((), ())
    (tmp_path / "course.toml").unlink()
    monkeypatch.setattr(course_module, "BUILTIN_ROOT", tmp_path / "no course here")  # a wheel's install
    assert Course(tmp_path).settings == CourseSettings()


def test_every_setting_is_read_relative_to_the_course(tmp_path):
    make_course(tmp_path, '[kernel]\npath = ["kernel", "absent"]\npreload = "pandas"\n'
                          '[checks]\npath = "lib"\nfixtures = ["my_course.fixtures"]\n')
    settings = read_settings(tmp_path)
    assert settings == CourseSettings((tmp_path / "kernel",), ("pandas",), (tmp_path / "lib",),
                                      ("my_course.fixtures",))


def test_the_root_comes_first_and_a_preload_is_kept_only_where_named(tmp_path):
    make_course(tmp_path / "own", '[checks]\npath = ["lib"]\n')
    own_on_builtin = Course(tmp_path / "own", (COURSE,))
    assert own_on_builtin.checks_paths[0] == tmp_path / "own" / "lib"
    assert own_on_builtin.kernel_paths == Course(COURSE).kernel_paths
    assert own_on_builtin.kernel_preload == Course(COURSE).kernel_preload != DEFAULT_KERNEL_PRELOAD
    assert sandbox_policy(GradeOptions(course=own_on_builtin)).kernel_preload == own_on_builtin.kernel_preload


def test_the_checks_helper_folders_are_hidden_from_the_kernel(tmp_path):
    make_course(tmp_path, '[checks]\npath = ["lib"]\n')
    assert tmp_path / "lib" in Course(tmp_path).private_paths
    assert tmp_path / "lib" in sandbox_policy(GradeOptions(course=Course(tmp_path))).hidden


@pytest.mark.parametrize("toml, problem", [
    ("[kernel]\npath = 3\n", "string or a list"),
    ("[checks]\nfixtures = [1]\n", "string or a list"),
    ("kernel = 1\n", "must be a table"),
    ("[kernel\n", "cannot be read"),
    ('[kernel]\npath = "checks"\n', "never see"),
])
def test_a_setting_that_cannot_be_used_names_course_toml(tmp_path, toml, problem):
    make_course(tmp_path, toml)
    with pytest.raises(AuthoringError, match=problem) as caught:
        read_settings(tmp_path)
    assert "course.toml" in str(caught.value)
