"""Issue 22, item 4: the grader installed without its course (student kits only) grades the public
checks and says so, instead of failing the hidden checks it does not have."""

from __future__ import annotations

from pathlib import Path

from grader.options import GradeOptions, judged_by_this_install
from grader.submission.course import KIT_MARKER, Course

from conftest import COURSE


def kit(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / KIT_MARKER).write_text("{}")
    return folder


def test_a_course_of_kits_only_grades_the_public_checks(tmp_path):
    kits = Course(kit(tmp_path / "a"), (kit(tmp_path / "b"),))
    judged = judged_by_this_install(GradeOptions(course=kits))
    assert judged.public_only


def test_a_course_with_its_solutions_grades_everything(tmp_path):
    for course in (Course(COURSE), Course(kit(tmp_path / "a"), (COURSE,))):
        options = GradeOptions(course=course)
        assert judged_by_this_install(options) is options and not options.public_only
