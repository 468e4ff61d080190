"""The student kits shipped in the package (grader/kits/, written by tools/package_kits.py): one
per built-in assignment, up to date with its checks and solution, found by `check("softmax")`
with no kit around, and the course of an install that has no course on disk."""

from __future__ import annotations

import importlib.util
import json
import shutil

import nbformat
import pytest

from conftest import CONTRACT, COURSE, ROOT
from grader.instructor.generate import BEGIN, END
from grader.in_notebook import packaged_kit_for
from grader.submission import course as course_module
from grader.submission.course import PACKAGED_KITS, assignments_in, default_course, packaged_kits


def _tool():  # noqa: ANN202 - tools/ is not a package: the module by its path
    spec = importlib.util.spec_from_file_location("package_kits", ROOT / "tools" / "package_kits.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_builtin_assignment_ships_a_kit_about_its_graded_names():
    assert sorted(p.name for p in packaged_kits()) == sorted(assignments_in(COURSE))
    for folder in packaged_kits():
        marker = json.loads((folder / "kit.json").read_text())
        assert marker["assignment"] == folder.name
        assert set(marker["functions"]) == CONTRACT[folder.name], folder.name
        assert not (folder / "solutions").exists()


GENERIC = {"with torch.no_grad():"}  # in a solution, and in the checks' own training code too


def solution_lines(assignment_id: str) -> set[str]:
    """The lines inside the solution's BEGIN/END SOLUTION regions (long enough to mean something,
    and not GENERIC)."""
    found, inside = set(), False
    for cell in nbformat.read(COURSE / "solutions" / f"{assignment_id}.ipynb", 4).cells:
        for line in cell.source.splitlines() if cell.cell_type == "code" else []:
            if BEGIN.match(line) or END.match(line):
                inside = bool(BEGIN.match(line))
            elif inside and len(line.strip()) > 12 and line.strip() not in GENERIC:
                found.add(line.strip())
    return found


@pytest.mark.parametrize("assignment_id", sorted(CONTRACT))
def test_no_shipped_kit_holds_a_line_of_its_solution(assignment_id):
    kit = PACKAGED_KITS / assignment_id
    # the assignment notebook is what every student has (05's text gives backprop's formulas)
    # kernel-N/ is the course's own d2l, which every grading kernel sees: the book's public code
    text = "\n".join(p.read_text(errors="replace") for p in kit.rglob("*") if p.suffix in (".py", ".json")
                     and not p.relative_to(kit).parts[0].startswith("kernel-"))
    lines = solution_lines(assignment_id)
    assert lines and not [line for line in lines if line in text]
    assert "@mistake" not in text or "raise NotInKit(\"a known mistake" in text


def test_check_finds_the_shipped_kit_by_the_function_or_the_names_defined():
    assert packaged_kit_for("softmax", {}) == PACKAGED_KITS / "04_softmax_regression"
    assert packaged_kit_for("backprop", {}) == PACKAGED_KITS / "05_mlp"
    assert packaged_kit_for("no_such_function", {}) is None
    assert packaged_kit_for(None, {"relu": 1, "MLPScratch": 2, "softmax": 3}) == PACKAGED_KITS / "05_mlp"
    assert packaged_kit_for(None, {"x": 1}) is None  # nothing to go by: the student must say


def test_an_install_without_the_course_grades_with_the_shipped_kits(tmp_path, monkeypatch):
    monkeypatch.setattr(course_module, "BUILTIN_ROOT", tmp_path / "site-packages")
    course = default_course(tmp_path)
    assert course.folders == tuple(packaged_kits())
    assert sorted(course.assignments) == sorted(CONTRACT)
    assert all(a.solution.suffix == ".json" for a in course.assignments.values())  # answers, not solutions


def test_the_differences_of_two_kits_are_found(tmp_path):
    tool = _tool()
    shipped = PACKAGED_KITS / "04_softmax_regression"
    copy = tmp_path / "04_softmax_regression"
    shutil.copytree(shipped, copy)
    assert tool.differences(shipped, copy) == []
    checks = copy / "checks" / "04_softmax_regression.py"
    checks.write_text(checks.read_text() + "\n# changed\n")
    answers = copy / "answers" / "04_softmax_regression.bin"
    raw = bytearray(answers.read_bytes())
    raw[-1] ^= 0x40  # the last float64's exponent: another answer
    answers.write_bytes(bytes(raw))
    assert sorted(tool.differences(shipped, copy)) == [
        "04_softmax_regression/answers/04_softmax_regression.bin: other answers",
        "04_softmax_regression/checks/04_softmax_regression.py: differs"]


@pytest.mark.notebook
def test_the_shipped_kits_are_up_to_date(tmp_path):
    tool = _tool()
    ids = tool.build_kits(tmp_path)
    stale = [d for i in ids for d in tool.differences(tmp_path / i, PACKAGED_KITS / i)]
    assert not stale, "run `python tools/package_kits.py`: " + "; ".join(stale)
