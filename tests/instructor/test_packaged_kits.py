"""The student kits shipped in the package (grader/kits/<id>.zip, written by tools/package_kits.py):
one archive per built-in assignment, data and not modules, up to date with its checks and
solution, free of reference code, giving every solution full public marks on every CPU, found
by `check("softmax")` with no kit around, and the course of an install that has no course on disk."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import zipfile

import nbformat
import pytest

from conftest import CONTRACT, COURSE, ROOT
from grader.instructor.generate import BEGIN, END
from grader.submission import course as course_module
from grader.submission.course import PACKAGED_KITS, assignments_in, default_course, packaged_kits
from grader.submission.shipped_kits import shipped_archives, shipped_kit, unpack_kit


def _tool():
    spec = importlib.util.spec_from_file_location("package_kits", ROOT / "tools" / "package_kits.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_kits_are_archives_read_as_package_data_not_modules():
    assert sorted(p.name for p in PACKAGED_KITS.iterdir()) == sorted(f"{i}.zip" for i in CONTRACT)
    assert sorted(shipped_archives()) == sorted(CONTRACT)  # importlib.resources finds them
    assert not [p for p in PACKAGED_KITS.rglob("*") if p.suffix != ".zip"]
    for name in CONTRACT:  # nothing of a kit is a grader module
        with pytest.raises(ImportError):
            importlib.import_module(f"grader.kits.{name}.checks")
    folders = packaged_kits()
    assert all(ROOT not in folder.parents for folder in folders)  # unpacked outside the package


def test_every_builtin_assignment_ships_a_kit_about_its_graded_names():
    assert sorted(p.name for p in packaged_kits()) == sorted(assignments_in(COURSE))
    for folder in packaged_kits():
        marker = json.loads((folder / "kit.json").read_text())
        assert marker["assignment"] == folder.name
        assert set(marker["functions"]) == CONTRACT[folder.name], folder.name
        assert not (folder / "solutions").exists()


def test_a_member_outside_the_kit_or_a_file_that_is_no_zip_is_refused(tmp_path):
    from grader.errors import UsageError

    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as archive:
        archive.writestr("../escape.py", "x = 1")
    with pytest.raises(UsageError, match="outside"):
        unpack_kit(bad, tmp_path / "out")
    (tmp_path / "text.zip").write_text("not a zip")
    with pytest.raises(UsageError, match="not a zip"):
        unpack_kit(tmp_path / "text.zip", tmp_path / "out2")
    assert not (tmp_path / "escape.py").exists()


COURSE_MODULES = {p.name for p in (COURSE / "lib").iterdir() if p.is_dir() or p.suffix == ".py"}
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


def graded_bodies(assignment_id: str) -> set[str]:
    """The solution's graded functions and methods, each body as an AST dump (names kept)."""
    bodies = set()
    for cell in nbformat.read(COURSE / "solutions" / f"{assignment_id}.ipynb", 4).cells:
        if cell.cell_type != "code" or "graded" not in cell.metadata.get("tags", []):
            continue
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and len(node.body) > 0:
                bodies.add(ast.dump(ast.Module(node.body, [])))
    return bodies


def kit_files(folder):
    return [p for p in sorted(folder.rglob("*")) if p.is_file()
            and not p.relative_to(folder).parts[0].startswith("kernel-")]


def kit_python(folder):
    for path in kit_files(folder):
        if path.suffix == ".py":
            yield path, ast.parse(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("assignment_id", sorted(CONTRACT))
def test_no_shipped_kit_holds_reference_code(assignment_id, tmp_path):
    """Every kit unpacked from its archive: no line of its solution, no body of a graded function
    of any solution, no definition of any graded name of the contract. The course's kernel
    material (kernel-N/: its d2l, the book's code, which every grading kernel has) is the
    course's to choose and is left out."""
    kit = unpack_kit(PACKAGED_KITS / f"{assignment_id}.zip", tmp_path / assignment_id)
    text = "\n".join(p.read_text(errors="replace") for p in kit_files(kit) if p.suffix in (".py", ".json"))
    lines = solution_lines(assignment_id)
    assert lines and not [line for line in lines if line in text]
    assert "@mistake" not in text or "raise NotInKit(\"a known mistake" in text
    bodies = set().union(*(graded_bodies(i) for i in CONTRACT))
    graded = set().union(*CONTRACT.values())
    assert bodies and graded
    for path, tree in kit_python(kit):
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                assert ast.dump(ast.Module(node.body, [])) not in bodies, f"{path}: {node.name}"
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                assert node.name not in graded, f"{path}: defines {node.name}"
            if isinstance(node, (ast.Import, ast.ImportFrom)):  # nothing of the course's own modules
                roots = {(a.name if isinstance(node, ast.Import) else node.module or "").split(".")[0]
                         for a in node.names}
                assert not roots & COURSE_MODULES, f"{path}: imports {roots & COURSE_MODULES}"


def test_check_and_grade_pick_the_kit_by_one_rule():
    """The notebook's assignment first (as `grade` reads it); only without one, its names."""
    assert shipped_kit("04_softmax_regression", "relu").name == "04_softmax_regression"
    assert shipped_kit(None, "softmax").name == "04_softmax_regression"
    assert shipped_kit(None, "backprop").name == "05_mlp"
    assert shipped_kit(None, "no_such_function") is None
    assert shipped_kit("no_such_assignment") is None
    assert shipped_kit(None, None, {"relu": 1, "MLPScratch": 2, "softmax": 3}).name == "05_mlp"
    assert shipped_kit(None, None, {"x": 1}) is None  # nothing to go by: the student must say


def test_an_install_without_the_course_grades_with_the_shipped_kits(tmp_path, monkeypatch):
    monkeypatch.setattr(course_module, "BUILTIN_ROOT", tmp_path / "site-packages")
    course = default_course(tmp_path)
    assert course.folders == tuple(packaged_kits())
    assert sorted(course.assignments) == sorted(CONTRACT)
    assert all(a.solution.suffix == ".json" for a in course.assignments.values())  # answers, not solutions


def test_the_differences_of_two_kits_are_found_within_float32s_tolerance(tmp_path):
    tool = _tool()
    shipped = unpack_kit(PACKAGED_KITS / "04_softmax_regression.zip", tmp_path / "shipped")
    copy = tmp_path / "04_softmax_regression"
    shutil.copytree(shipped, copy)
    assert tool.differences(shipped, copy) == []
    spec = json.loads((copy / "answers" / "04_softmax_regression.json").read_text())
    dtypes = dict(tool._tensor_dtypes(spec["cases"]))
    index = next(i for i, d in dtypes.items() if d == "float32" and spec["sizes"][i] >= 8)
    start = sum(spec["sizes"][:index])
    answers = copy / "answers" / "04_softmax_regression.bin"
    raw = bytearray(answers.read_bytes())
    raw[start] ^= 0x01  # the lowest bit of a float32: another CPU's rounding, as good
    answers.write_bytes(bytes(raw))
    assert tool.differences(shipped, copy) == []
    raw[start + 3] ^= 0x40  # its exponent: another answer
    answers.write_bytes(bytes(raw))
    checks = copy / "checks" / "04_softmax_regression.py"
    checks.write_text(checks.read_text() + "\n# changed\n")
    assert sorted(tool.differences(shipped, copy)) == [
        "04_softmax_regression/answers/04_softmax_regression.bin: other answers",
        "04_softmax_regression/checks/04_softmax_regression.py: differs"]


def test_an_archive_is_the_same_bytes_for_the_same_kit(tmp_path):
    tool = _tool()
    kit = unpack_kit(PACKAGED_KITS / "01_preprocessing.zip", tmp_path / "kit")
    assert tool.zip_kit(kit) == (PACKAGED_KITS / "01_preprocessing.zip").read_bytes()


REPLAY = """
import json, sys, torch
from pathlib import Path
from grader.checking.missing import CodeCell
from grader.checking.reference import load_reference
from grader.in_notebook import public_results
from grader.submission.course import packaged_kits
scores = {}
for threads in (1, 2):
    torch.set_num_threads(threads)
    for kit in packaged_kits():
        module = load_reference(Path(sys.argv[1], "solutions", kit.name + ".ipynb"))
        cells = [CodeCell("cell [1]", module.__source__, "")]  # its text, as a notebook's In holds it
        results = public_results(kit, dict(vars(module)), None, cells)
        scores[f"{kit.name} with {threads} threads"] = [sum(r.points for r in results),
                                                        sum(r.max_points for r in results)]
print(json.dumps(scores))
"""


@pytest.mark.notebook  # no kernel, but every solution's code and checks twice per capability (~15 s)
@pytest.mark.parametrize("capability", ["default", ""])
def test_every_kit_gives_every_solution_full_public_marks_on_every_cpu(capability):
    """With torch's portable kernels (ATEN_CPU_CAPABILITY=default, a CPU without AVX2) and this
    machine's own, with one thread and two: the kits' answers are keyed by case, not by bits."""
    env = {**os.environ, "ATEN_CPU_CAPABILITY": capability}
    done = subprocess.run([sys.executable, "-c", REPLAY, str(COURSE)], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    scores = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(scores) == 2 * len(CONTRACT)
    assert {name: s for name, s in scores.items() if s[0] != s[1] or not s[1]} == {}


@pytest.mark.notebook
def test_the_shipped_kits_are_up_to_date(tmp_path):
    tool = _tool()
    ids = tool.build_kits(tmp_path)
    stale = tool.stale_kits(tmp_path, ids)
    assert not stale, "run `python tools/package_kits.py`: " + "; ".join(stale)
