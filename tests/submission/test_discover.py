"""Discovery with file names a student chose: every id is printable and names a safe file, and
every notebook found but not graded is listed with the reason. (The layouts themselves:
tests/batch/test_batch.py.)"""

from __future__ import annotations

import os
from pathlib import Path

from grader.reporters import feedback
from grader.results import GradeReport, GradeStatus, Outcome, RowStatus
from grader.submission.discover import Entry, discover, find_submissions, student_id

ASSIGNMENT = "04_softmax_regression"
HOSTILE_NAMES = ["\x1b[31mred", "two\nlines", "::error::name", "-rf", "\u202eevil", "tab\there",
                 " ::warning::w", "##[error]x", "back\\slash", "\x85nel", "\U000e0041tag"]


def touch(path: Path | bytes) -> None:
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o644))


def test_hostile_file_names_give_printable_distinct_ids(tmp_path):
    for name in HOSTILE_NAMES:
        touch(tmp_path / f"{name}.ipynb")
    touch(os.fsencode(tmp_path) + b"/\xff\xfe.ipynb")  # not UTF-8
    found = discover([tmp_path], {ASSIGNMENT})
    assert len(found) == len(HOSTILE_NAMES) + 1
    ids = [entry.student for entry in found]
    assert len(set(ids)) == len(ids)
    for student in ids:
        assert student.isprintable() and student.encode("utf-8"), student
        assert student[0] not in "-.: ", student
    assert "\\udcff\\udcfe" in ids and "\\u002drf" in ids and "\\u003a:error::name" in ids


def test_ordinary_ids_stay_as_they_are():
    for name in ("alice", "bob-smith", "O'Brien Jo", "élodie", "李雷", "x_1.2"):
        assert student_id(name) == name


def test_feedback_files_are_never_options_hidden_or_elsewhere(tmp_path):
    for name in [*HOSTILE_NAMES, "..", ".hidden", "a/b"]:
        student = student_id(name)
        report = GradeReport(f"{student}.ipynb", ASSIGNMENT, GradeStatus.GRADED)
        outcome = Outcome(student, Path(f"{student}.ipynb"), report, RowStatus.GRADED)
        for file in feedback.render_files([outcome]):
            assert file[0] not in "-." and "/" not in file and "\\" not in file, (name, file)
            assert file.isprintable() and Path(file).name == file, (name, file)


def test_skipped_notebooks_are_listed_with_the_reason(tmp_path):
    for name in ("..ipynb", ".ipynb", ".secret.ipynb", "alice.ipynb"):
        touch(tmp_path / name)
    (tmp_path / "bob").mkdir()
    touch(tmp_path / "bob" / f"{ASSIGNMENT}.ipynb")
    touch(tmp_path / "bob" / "scratch.ipynb")
    (tmp_path / "bob" / ".ipynb_checkpoints").mkdir()  # a hidden folder: never searched
    touch(tmp_path / "bob" / ".ipynb_checkpoints" / "x-checkpoint.ipynb")
    (tmp_path / "carol.ipynb").symlink_to(tmp_path / "alice.ipynb")
    entries, skipped = find_submissions([tmp_path], {ASSIGNMENT})
    assert entries == [Entry("alice", tmp_path / "alice.ipynb"),
                       Entry("bob", tmp_path / "bob" / f"{ASSIGNMENT}.ipynb", ASSIGNMENT)]
    reasons = {item.path.name: item.reason for item in skipped}
    assert sorted(reasons) == ["..ipynb", ".ipynb", ".secret.ipynb", "carol.ipynb", "scratch.ipynb"]
    assert all("begins with '.'" in reasons[name]
               for name in (".ipynb", "..ipynb", ".secret.ipynb"))
    assert reasons["scratch.ipynb"] == (f"not named after an assignment, and {ASSIGNMENT}.ipynb "
                                        "beside it is")
    assert reasons["carol.ipynb"] == f"the same file as {tmp_path / 'alice.ipynb'}, which is graded"


def test_a_file_given_twice_is_graded_once_and_not_called_skipped(tmp_path):
    touch(tmp_path / "alice.ipynb")
    entries, skipped = find_submissions([tmp_path / "alice.ipynb", tmp_path], set())
    assert entries == [Entry("alice", tmp_path / "alice.ipynb")] and skipped == []


def test_a_skipped_file_is_told_in_one_printable_line(tmp_path):
    touch(tmp_path / ".\x1b[2K\nx.ipynb")
    _, skipped = find_submissions([tmp_path], set())
    assert len(skipped) == 1 and str(skipped[0]).isprintable()
    assert str(skipped[0]).startswith(f"{tmp_path}/.\\u001b[2K\\u000ax.ipynb: its name begins")


def test_a_student_folder_linked_to_the_solutions_has_rows_that_say_so_and_is_not_graded(tmp_path):
    """Issue 21: a student's folder that was a link to the course's solutions scored 82/82."""
    from grader.batch.run import grade_entry
    from grader.options import GradeOptions

    solutions = tmp_path / "course" / "solutions"
    solutions.mkdir(parents=True)
    touch(solutions / f"{ASSIGNMENT}.ipynb")
    submissions = tmp_path / "submissions"
    (submissions / "bob").mkdir(parents=True)
    touch(submissions / "bob" / f"{ASSIGNMENT}.ipynb")  # the control: handed in, graded
    (submissions / "mallory").symlink_to(solutions, target_is_directory=True)
    entries, _ = find_submissions([submissions], {ASSIGNMENT})
    by_student = {entry.student: entry for entry in entries}
    assert by_student["bob"].refused == ""
    assert "outside the folder of submissions" in by_student["mallory"].refused
    report, status = grade_entry(by_student["mallory"], GradeOptions())  # no kernel: a row
    assert status is RowStatus.UNGRADABLE and "outside the folder" in report.reason
    assert report.student == "mallory" and report.checks == ()


def test_one_notebook_per_student_and_assignment_by_a_stated_rule(tmp_path):
    """Thirty notebooks named after the assignment in one repository gave the best of thirty."""
    student = tmp_path / "submissions" / "alice"
    for i in range(30):
        (student / f"try{i:02d}").mkdir(parents=True)
        touch(student / f"try{i:02d}" / f"{ASSIGNMENT}.ipynb")
    touch(student / f"{ASSIGNMENT}.ipynb")  # the one nearest the top: graded
    (tmp_path / "submissions" / "bob").mkdir()
    touch(tmp_path / "submissions" / "bob" / f"{ASSIGNMENT}.ipynb")  # the control: another student
    entries, skipped = find_submissions([tmp_path / "submissions"], {ASSIGNMENT})
    assert [(e.student, e.path.relative_to(tmp_path).as_posix()) for e in entries] == [
        ("alice", f"submissions/alice/{ASSIGNMENT}.ipynb"), ("bob", f"submissions/bob/{ASSIGNMENT}.ipynb")]
    ignored = [s for s in skipped if "one notebook each" in s.reason]
    assert len(ignored) == 30 and all(f"alice/{ASSIGNMENT}.ipynb is graded" in s.reason for s in ignored)
    (student / f"{ASSIGNMENT}.ipynb").unlink()  # then the first in path order of the same depth
    entries, _ = find_submissions([tmp_path / "submissions"], {ASSIGNMENT})
    assert entries[0].path == student / "try00" / f"{ASSIGNMENT}.ipynb"
