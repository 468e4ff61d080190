"""`grade-admin validate ID`: proof that an authored assignment holds up, before students see it.

An assignment holds up when
  1. its solution scores full marks with seeds 0 to N-1: every check runs seeded (here and in
     the kernel), so another seed draws other random inputs, other dropout masks, another
     training run; a threshold that only a lucky seed meets fails here, not in a student's report;
  2. its assignment as generated (each solution region a stub) scores zero, every check failing
     with a message, none raising an error of its own;
  3. every check's name begins with a function or class that the solution's graded cells define
     (`dropout_layer: keeps the mean`), and every `assert` of the checks file has a message;
  4. `assignments/<id>.ipynb` is what `grade-admin generate` writes from the solution today.
Each problem is one line of `Validation.problems`; none means the assignment is valid.
"""

from __future__ import annotations

import ast
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import nbformat

from grader.checking.moved import MOVED, moved_note
from grader.instructor.generate import BEGIN, assignment_text
from grader.options import GradeOptions
from grader.pipeline import grade_notebook
from grader.results import CellStatus, CheckResult, CheckStatus, GradeReport, GradeStatus
from grader.submission.course import Assignment

NO_MESSAGE = "the check's condition was not met"  # the plugin's text for a bare `assert`
# The plugin's scoring (`score_by_function`) turns the passed checks of a function that failed
# another into failures whose detail begins so; they are not problems of their own
# (tests/instructor/test_validate.py notices if the wording changes).
GATED = "passed, but "

Grader = Callable[[Path, GradeOptions], GradeReport]


@dataclass(frozen=True)
class Validation:
    assignment: str
    solution: tuple[tuple[int, GradeReport], ...]  # (seed, the solution's report)
    untouched: GradeReport  # the generated assignment's report (seed 0)
    problems: tuple[str, ...]

    @property
    def valid(self) -> bool:
        return not self.problems


def validate(assignment: Assignment, options: GradeOptions, seeds: int = 3,
             grade: Grader | None = None) -> Validation:
    """Grade the solution with seeds 0..seeds-1 and the untouched assignment once (with
    `grade`, default `grade_notebook`); judge both, and the files."""
    grade = grade or grade_notebook
    asked = replace(options, assignment=assignment.id, public_only=False)
    solution = tuple((seed, grade(assignment.solution, replace(asked, seed=seed)))
                     for seed in range(seeds))
    with tempfile.TemporaryDirectory(prefix="validate-") as folder:
        untouched_path = Path(folder) / f"{assignment.id}.ipynb"
        untouched_path.write_text(assignment_text(assignment.solution), encoding="utf-8")
        untouched = grade(untouched_path, replace(asked, seed=0))
    problems = [*authoring_problems(assignment), *solution_problems(solution),
                *untouched_problems(untouched),
                *name_problems(solution[0][1] if solution else untouched,
                               graded_names(assignment.solution))]
    return Validation(assignment.id, solution, untouched, tuple(problems))


def authoring_problems(assignment: Assignment) -> list[str]:
    """What can be told from the files alone: markers, messages, the generated notebook."""
    problems = []
    cells = graded_cells(assignment.solution)
    if not cells:
        problems.append(f"{assignment.solution.name}: no code cell is tagged 'graded'")
    elif not any(BEGIN.match(line) for cell in cells for line in cell.source.splitlines()):
        problems.append(f"{assignment.solution.name}: no '# BEGIN SOLUTION' region in a graded "
                        "cell: the assignment would hand out the answers")
    for line in asserts_without_message(assignment.checks):
        problems.append(f"{assignment.checks.name}: line {line}: an assert without a message "
                        "(write `expect(condition, message)`)")
    for line, name in moved_imports(assignment.checks):
        problems.append(f"{assignment.checks.name}: line {line}: {moved_note(name)}")
    generated = assignment.generated
    if not generated.is_file() or generated.read_text(encoding="utf-8") != assignment_text(
            assignment.solution):
        state = "out of date" if generated.is_file() else "missing"
        problems.append(f"assignments/{generated.name} is {state}: run "
                        f"`grade-admin generate {assignment.id}`")
    return problems


def solution_problems(graded: Sequence[tuple[int, GradeReport]]) -> list[str]:
    """Checks the solution fails, with the seeds they fail with; cells of it that fail."""
    if not graded:
        return []
    problems = []
    seed, first = graded[0]
    if first.status is not GradeStatus.GRADED:
        return [f"the solution could not be graded: {first.reason}"]
    if not first.checks:
        problems.append("the checks file holds no check")
    for cell in first.execution.cells:
        if cell.status is not CellStatus.OK:
            where = f"code cell {cell.number}" if cell.number else f"cell {cell.index + 1}"  # as Jupyter shows it
            problems.append(f"the solution's {where} {cell.status.words}"
                            + (f": {cell.summary}" if cell.summary else ""))
    failed: dict[str, list[tuple[int, CheckResult]]] = {}
    for seed, report in graded:
        for check in report.checks:
            if check.status is not CheckStatus.PASSED and not check.detail.startswith(GATED):
                failed.setdefault(check.name, []).append((seed, check))
    for name, failures in failed.items():
        seeds = [seed for seed, _ in failures]
        detail = failures[0][1].detail or failures[0][1].message
        if len(seeds) < len(graded):
            problems.append(f"the solution fails '{name}' with seed {_seeds(seeds)} of "
                            f"{_seeds([seed for seed, _ in graded])} (a threshold or tolerance "
                            f"too tight?): {detail}")
        else:
            problems.append(f"the solution fails '{name}': {detail}")
    return problems


def untouched_problems(report: GradeReport) -> list[str]:
    """The untouched assignment earns nothing, and each check fails with a message."""
    if report.status is not GradeStatus.GRADED:
        return [f"the untouched assignment could not be graded: {report.reason}"]
    problems = []
    for check in report.checks:
        if check.status is CheckStatus.PASSED:
            problems.append(f"the untouched assignment passes '{check.name}' "
                            f"({check.max_points:g} points for a stub)")
        elif check.status is CheckStatus.ERROR:
            problems.append(f"'{check.name}' raised an error of its own on the untouched "
                            f"assignment, instead of failing: {check.detail}")
        elif check.detail.startswith(GATED):  # it passed the stub; only another check took its points
            problems.append(f"'{check.name}' passes the untouched assignment on its own (its "
                            "verdict is the same for the stub and the solution: does it call the "
                            "student's code?)")
        elif not check.message.strip() or check.detail in ("", NO_MESSAGE):
            problems.append(f"'{check.name}' fails the untouched assignment without a message")
    return problems


def name_problems(report: GradeReport, graded: set[str]) -> list[str]:
    """Each check's name begins with a graded function or class, then a colon."""
    shown = ", ".join(sorted(graded)) or "nothing"
    return [f"'{check.name}' does not begin with a graded function or class and a colon "
            f"(the graded cells define {shown})"
            for check in report.checks if ":" not in check.name or check.function not in graded]


def graded_cells(solution: Path) -> list[nbformat.NotebookNode]:
    notebook = nbformat.read(solution, as_version=4)
    return [cell for cell in notebook.cells
            if cell.cell_type == "code" and "graded" in cell.metadata.get("tags", [])]


def graded_names(solution: Path) -> set[str]:
    """The functions and classes (and plain names) the solution's graded cells define."""
    names = set()
    for cell in graded_cells(solution):
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue  # the solution's run reports it
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, ast.Assign):
                names.update(target.id for target in node.targets if isinstance(target, ast.Name))
    return names


def asserts_without_message(checks: Path) -> list[int]:
    """Lines of the checks file's `assert` statements that have no message."""
    try:
        tree = ast.parse(checks.read_text(encoding="utf-8"))
    except SyntaxError:
        return []  # grading it reports the syntax error, with its line
    return sorted(node.lineno for node in ast.walk(tree)
                  if isinstance(node, ast.Assert) and node.msg is None)


def moved_imports(checks: Path) -> list[tuple[int, str]]:
    """(line, name) of each name the checks file imports from grader.check_tools that moved to
    the D2L course (`grader.check_tools.MOVED`)."""
    try:
        tree = ast.parse(checks.read_text(encoding="utf-8"))
    except SyntaxError:
        return []
    return [(node.lineno, alias.name) for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module == "grader.check_tools"
            for alias in node.names if alias.name in MOVED]


def _seeds(seeds: list[int]) -> str:
    if len(seeds) > 2 and seeds == list(range(seeds[0], seeds[-1] + 1)):
        return f"{seeds[0]}-{seeds[-1]}"
    return ", ".join(map(str, seeds))
