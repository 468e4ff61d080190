"""`grade-admin validate`: what it proves of an authored assignment, each problem one line, exit
11 unless all holds; the worked example of docs/authoring.md (examples/course, `dropout`) holds,
graded for real."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from grader.checking.plugin import score_by_function
from grader.commands import grade_admin
from grader.errors import ExitStatus
from grader.instructor import validate as validate_module
from grader.instructor.validate import asserts_without_message, graded_names, validate
from grader.options import GradeOptions
from grader.pipeline import unrun_checks
from grader.results import CellRecord, CellStatus, CheckResult, CheckStatus, ExecutionSummary, GradeReport, GradeStatus
from grader.submission.course import Course

from conftest import COURSE, ROOT

EXAMPLE = ROOT / "examples" / "course"
NAMES = ["dropout_layer: keeps the mean", "dropout_layer: drops a fraction dropout"]


def check(name: str, passed: bool, detail: str = "", status: CheckStatus | None = None) -> CheckResult:
    status = status or (CheckStatus.PASSED if passed else CheckStatus.FAILED)
    return CheckResult(name=name, points=2.0 if status is CheckStatus.PASSED else 0.0, max_points=2.0,
                       status=status, message=detail, detail=detail, function=name.split(":")[0].strip())


def report(*checks: CheckResult, cells: tuple[CellRecord, ...] = ()) -> GradeReport:
    return GradeReport(submission="x.ipynb", assignment="dropout", status=GradeStatus.GRADED,
                       checks=checks, execution=ExecutionSummary(cells=cells))


SOLVED = report(*(check(name, True) for name in NAMES))
UNTOUCHED = report(*(check(name, False, "dropout_layer(X, 0.5) raised NotImplementedError") for name in NAMES))


class FakeGrader:
    """Grades without a kernel: the solution (by seed) and the untouched assignment as told."""

    def __init__(self, solution: dict[int, GradeReport] | None = None, untouched: GradeReport = UNTOUCHED):
        self.solution, self.untouched, self.seen = solution or {}, untouched, []

    def __call__(self, path: Path, options: GradeOptions) -> GradeReport:
        self.seen.append((path, options.seed, options.assignment))
        if "solutions" in path.parts:
            return self.solution.get(options.seed, SOLVED)
        assert "BEGIN SOLUTION" not in path.read_text() and "NotImplementedError" in path.read_text()
        return self.untouched


@pytest.fixture
def course(tmp_path) -> Course:
    shutil.copytree(EXAMPLE, tmp_path / "course")
    return Course.adding_to_builtin(tmp_path / "course")


def problems(course: Course, grader: FakeGrader, seeds: int = 3) -> list[str]:
    result = validate(course.assignments["dropout"], GradeOptions(course=course), seeds, grade=grader)
    assert result.valid == (not result.problems)
    return list(result.problems)


def test_a_sound_assignment_has_no_problem_and_is_graded_with_each_seed(course):
    grader = FakeGrader()
    assert problems(course, grader, seeds=3) == []
    solution = course.assignments["dropout"].solution
    assert grader.seen[:3] == [(solution, seed, "dropout") for seed in range(3)]
    assert grader.seen[3][1:] == (0, "dropout") and grader.seen[3][0].name == "dropout.ipynb"


def test_a_threshold_that_holds_for_some_seeds_only(course):
    tight = report(check(NAMES[0], True), check(NAMES[1], False, "dropped 48.1%; expected 50% ± 1%"))
    assert problems(course, FakeGrader({1: tight, 2: tight})) == [
        f"the solution fails '{NAMES[1]}' with seed 1, 2 of 0-2 (a threshold or tolerance too tight?): "
        "dropped 48.1%; expected 50% ± 1%"]
    assert problems(course, FakeGrader({0: tight}), seeds=1) == [
        f"the solution fails '{NAMES[1]}': dropped 48.1%; expected 50% ± 1%"]


def test_checks_that_only_lost_their_points_to_another_are_not_problems(course):
    """The plugin's scoring turns the passed checks of a failing function into failures that say
    so; validate names only the check that failed on its own (and notices if the wording changes)."""
    scored = score_by_function([check(NAMES[0], True), check(NAMES[1], False, "dropped 48.1%")])
    assert scored[0].detail.startswith(validate_module.GATED) and scored[0].status is CheckStatus.FAILED
    assert problems(course, FakeGrader({0: report(*scored)}), seeds=1) == [
        f"the solution fails '{NAMES[1]}': dropped 48.1%"]


def test_a_check_that_passes_the_stub_on_its_own_is_a_problem(course):
    """Issue 22: a check that never calls the student's code passes the stub as it passes the
    solution; that another check of its function took its points must not hide it."""
    assert problems(course, FakeGrader(untouched=report(*score_by_function([
        check(NAMES[0], True), check(NAMES[1], False, "raised NotImplementedError")])))) == [
        f"'{NAMES[0]}' passes the untouched assignment on its own (its verdict is the same for the "
        "stub and the solution: does it call the student's code?)"]


def test_a_solution_cell_that_fails_is_a_problem(course):
    broken = replace(SOLVED, execution=ExecutionSummary(cells=(
        CellRecord(index=5, status=CellStatus.ERROR, summary="AssertionError: assert x > 0", number=3),
        CellRecord(index=7, status=CellStatus.ERROR, summary="ValueError: no"))))  # an older report: no number
    assert problems(course, FakeGrader({0: broken}), seeds=1) == [
        "the solution's code cell 3 stopped with an error: AssertionError: assert x > 0",
        "the solution's cell 8 stopped with an error: ValueError: no"]


def test_the_untouched_assignment_earns_nothing_and_every_check_fails_with_a_message(course):
    untouched = report(check(NAMES[0], True),
                       check(NAMES[1], False, "", status=CheckStatus.ERROR),
                       check("dropout_layer: silent", False, "the check's condition was not met"))
    assert problems(course, FakeGrader(untouched=untouched)) == [
        f"the untouched assignment passes '{NAMES[0]}' (2 points for a stub)",
        f"'{NAMES[1]}' raised an error of its own on the untouched assignment, instead of failing: ",
        "'dropout_layer: silent' fails the untouched assignment without a message",
    ]


def test_every_check_is_named_after_a_graded_function(course):
    named = report(check("dropout: keeps the mean", True), check("no colon at all", True))
    assert problems(course, FakeGrader({0: named}), seeds=1) == [
        "'dropout: keeps the mean' does not begin with a graded function or class and a colon "
        "(the graded cells define dropout_layer)",
        "'no colon at all' does not begin with a graded function or class and a colon "
        "(the graded cells define dropout_layer)",
    ]
    assert graded_names(course.assignments["dropout"].solution) == {"dropout_layer"}


def test_files_checked_without_grading(course):
    assignment = course.assignments["dropout"]
    checks = assignment.checks.read_text()
    assignment.checks.write_text(checks + "\n\ndef helper(x):\n    assert x > 0\n    assert x, 'a message'\n")
    line = checks.count("\n") + 4
    assert asserts_without_message(assignment.checks) == [line]
    assignment.generated.unlink()
    solution = assignment.solution.read_text()
    assignment.solution.write_text(solution.replace("# BEGIN SOLUTION", "# begin").replace(
        "# END SOLUTION", "# end"))
    assert problems(course, FakeGrader(), seeds=1) == [
        "dropout.ipynb: no '# BEGIN SOLUTION' region in a graded cell: the assignment would hand out "
        "the answers",
        f"dropout.py: line {line}: an assert without a message (write `expect(condition, message)`)",
        "assignments/dropout.ipynb is missing: run `grade-admin generate dropout`",
    ]
    assignment.solution.write_text(solution.replace("Zero each entry", "Zero every entry"))
    assignment.checks.write_text(checks)
    assert problems(course, FakeGrader(), seeds=1) == [
        "assignments/dropout.ipynb is missing: run `grade-admin generate dropout`"]
    assert grade_admin.main(["generate", "--course", str(course.root)]) == 0
    assert problems(course, FakeGrader(), seeds=1) == []


def test_the_command_prints_one_line_per_problem_and_exits_11(course, monkeypatch, capsys):
    tight = report(check(NAMES[0], True), check(NAMES[1], False, "dropped 48.1%"))
    monkeypatch.setattr(validate_module, "grade_notebook", FakeGrader({1: tight}))
    status = grade_admin.main(["validate", "dropout", "--course", str(course.root), "--seeds", "2"])
    assert status == ExitStatus.NOT_VALID == 11
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [
        "dropout: the solution with seed 0: 4/4",
        "dropout: the solution with seed 1: 2/4",
        "dropout: the untouched assignment: 0/4",
        f"dropout: the solution fails '{NAMES[1]}' with seed 1 of 0, 1 (a threshold or tolerance too "
        "tight?): dropped 48.1%",
    ]
    assert captured.err == "grade-admin: dropout is not valid: 1 problem\n"


def test_the_command_exits_0_when_all_holds(course, monkeypatch, capsys):
    monkeypatch.setattr(validate_module, "grade_notebook", FakeGrader())
    assert grade_admin.main(["--course", str(course.root), "validate", "dropout"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        "dropout: valid (2 checks, each named after a graded function and failing the untouched "
        "assignment with a message)")


@pytest.mark.parametrize("argv, status", [
    (["validate", "dropout", "--seeds", "0"], 2),
    (["validate", "99_nothing"], 7),
])
def test_the_command_refuses_what_cannot_be_validated(course, argv, status, capsys):
    assert grade_admin.main([*argv, "--course", str(course.root)]) == status
    assert len(capsys.readouterr().err.splitlines()) == 1


# -- every assignment of this repository, and the worked example ----------------------------------

COURSES = [Course(COURSE), Course.adding_to_builtin(EXAMPLE)]
EVERY = [(course, assignment.id) for course in COURSES for assignment in course.assignments.values()
         if assignment.checks.parent.parent == course.root]  # each course's own


@pytest.mark.parametrize("course, assignment_id", EVERY, ids=[pair[1] for pair in EVERY])
def test_what_validate_checks_without_a_kernel_holds_for_every_assignment(course, assignment_id):
    """The files and the names, for each assignment found on disk (a new one too); its gradings
    are test_assignments.py's and, for the example, the test below."""
    assignment = course.assignments[assignment_id]
    unrun = report(*unrun_checks(assignment, GradeOptions(course=course), "not run"))
    assert validate_module.authoring_problems(assignment) == []
    assert validate_module.name_problems(unrun, graded_names(assignment.solution)) == []
    assert unrun.max_score > 0


# -- the worked example, graded for real ----------------------------------------------------------

@pytest.mark.notebook
def test_the_worked_example_validates(capsys):
    assert grade_admin.main(["validate", "dropout", "--course", str(EXAMPLE)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[:4] == ["dropout: the solution with seed 0: 9/9", "dropout: the solution with seed 1: 9/9",
                         "dropout: the solution with seed 2: 9/9", "dropout: the untouched assignment: 0/9"]
    assert lines[-1].startswith("dropout: valid (8 checks")


VACUOUS = """

@pytest.mark.check("dropout_layer: never calls it", points=1)
def test_never_calls_the_students_code(student):
    expect(torch.ones(3).sum() == 3, "three ones sum to three")
"""


@pytest.mark.notebook
def test_a_check_that_never_calls_the_students_code_fails_validation_graded_for_real(tmp_path, capsys):
    """Issue 22: the check passes the stub as it passes the solution; validate names it, one line."""
    shutil.copytree(EXAMPLE, tmp_path / "course")
    with (tmp_path / "course" / "checks" / "dropout.py").open("a") as checks:
        checks.write(VACUOUS)
    status = grade_admin.main(["validate", "dropout", "--seeds", "1", "--course", str(tmp_path / "course")])
    out = capsys.readouterr().out
    assert status == ExitStatus.NOT_VALID
    assert [line for line in out.splitlines() if "never calls it" in line] == [
        "dropout: 'dropout_layer: never calls it' passes the untouched assignment on its own (its verdict "
        "is the same for the stub and the solution: does it call the student's code?)"]


def test_an_import_of_a_name_that_moved_to_the_course_is_one_line_naming_the_import_to_write(tmp_path):
    from grader.instructor.validate import moved_imports

    checks = tmp_path / "old.py"
    checks.write_text("from grader.check_tools import (\n    expect,\n    with_grader_relu,\n)\n"
                      "from grader.check_tools import classifier_accuracy as accuracy\n")
    assert moved_imports(checks) == [(1, "with_grader_relu"), (5, "classifier_accuracy")]
    assert moved_imports(COURSE / "checks" / "05_mlp.py") == []  # the course imports them from d2l_course
