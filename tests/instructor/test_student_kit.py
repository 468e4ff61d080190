"""The student kit: what it holds (public checks, answers as data) and what it never holds
(the solution, hidden checks' code, validation labels); grading in a kit with no course."""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
import sys
import zipfile

import nbformat
import pytest
import torch

from conftest import COURSE
from grader.checking.recorded import NotInKit, RecordedReference, RecordingReference
from grader.instructor.student_kit import public_checks, write_student_kit
from grader.submission.course import Course, default_course

ASSIGNMENT = "04_softmax_regression"


@pytest.fixture(scope="module")
def kit(tmp_path_factory):
    """A kit built from a copy of the course, the copy deleted afterwards."""
    base = tmp_path_factory.mktemp("kit")
    course = base / "course"
    for part, suffix in (("checks", ".py"), ("solutions", ".ipynb"), ("assignments", ".ipynb")):
        (course / part).mkdir(parents=True)
        shutil.copy(COURSE / part / f"{ASSIGNMENT}{suffix}", course / part)
    shutil.copy(COURSE / "course.toml", course)
    shutil.copytree(COURSE / "kernel", course / "kernel", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(COURSE / "locale", course / "locale")  # its messages in Korean
    write_student_kit(Course(course), ASSIGNMENT, base / "kit")
    shutil.rmtree(course)
    return base / "kit"


def test_the_kit_holds_the_notebook_public_checks_and_answers_only(kit):
    files = sorted(str(p.relative_to(kit)) for p in kit.rglob("*") if p.is_file())
    shipped = [f for f in files if f.startswith(("kernel-0/", "locale/"))]  # the course's own d2l, its messages
    assert "kernel-0/d2l/torch.py" in shipped and "locale/ko/LC_MESSAGES/course.mo" in shipped
    assert [f for f in files if f not in shipped] == [
        "answers/04_softmax_regression.bin", "answers/04_softmax_regression.json",
        "assignments/04_softmax_regression.ipynb", "checks/04_softmax_regression.py", "course.toml", "kit.json"]
    marker = json.loads((kit / "kit.json").read_text())
    assert marker["assignment"] == ASSIGNMENT and marker["hidden_points"] > 0
    json.loads((kit / "answers" / f"{ASSIGNMENT}.json").read_text())  # data, not pickle


def test_no_solution_and_no_hidden_check_code_in_the_kit(kit):
    solution = nbformat.read(COURSE / "solutions" / f"{ASSIGNMENT}.ipynb", 4)
    regions = {line.strip() for cell in solution.cells if cell.cell_type == "code"
               for line in _solution_lines(cell.source)}
    text = "\n".join(p.read_text(errors="replace") for p in kit.rglob("*") if p.suffix in (".py", ".ipynb", ".json"))
    assert not [line for line in regions if len(line) > 12 and line in text]
    original = (COURSE / "checks" / f"{ASSIGNMENT}.py").read_text()
    hidden_or_training = [node.name for node in ast.parse(original).body if isinstance(node, ast.FunctionDef)
                          and any("hidden=True" in ast.unparse(d) for d in node.decorator_list)
                          or isinstance(node, ast.FunctionDef) and "val_X" in ast.unparse(node)]
    kit_checks = (kit / "checks" / f"{ASSIGNMENT}.py").read_text()
    assert hidden_or_training and not [name for name in hidden_or_training if f"def {name}(" in kit_checks]
    assert "val_X" not in kit_checks and "val_y" not in kit_checks


def test_public_checks_keep_public_code_and_stub_hidden_points(tmp_path):
    checks = tmp_path / "c.py"
    checks.write_text('"""Doc."""\nimport pytest\n\n'
                      '@pytest.mark.check("f: visible", points=2)\ndef test_a(student):\n    assert student.f(1) == 2\n\n'
                      '@pytest.mark.check("f: secret input", points=3, hidden=True)\ndef test_b(student):\n'
                      '    assert student.f(12345) == 0\n')
    text, hidden_points, instructor_only = public_checks(checks)
    assert hidden_points == 3 and instructor_only == []
    assert "12345" not in text and "secret" not in text and "student.f(1) == 2" in text
    compile(text, "c.py", "exec")


def test_a_kit_folder_is_its_own_course(kit):
    course = default_course(kit)
    assert list(course.assignments) == [ASSIGNMENT] and course.also == ()
    assert course.assignments[ASSIGNMENT].generated == kit / "assignments" / f"{ASSIGNMENT}.ipynb"


def test_recorded_answers_replay_values_and_gradients(tmp_path):
    module = type("M", (), {"double": staticmethod(lambda X: (X * X).sum(dim=1))})
    recording = RecordingReference(module)
    X = torch.randn(3, 2, requires_grad=True)
    recording.double(X).sum().backward()
    recording.save(tmp_path / "a.json")
    replay = RecordedReference(tmp_path / "a.json")
    Y = X.detach().clone().requires_grad_(True)
    replayed = replay.double(Y)
    assert torch.equal(replayed.detach(), (X * X).sum(dim=1).detach())
    replayed.sum().backward()
    assert torch.allclose(Y.grad, 2 * X.detach())
    with pytest.raises(NotInKit, match="only your instructor's grader"):
        replay.double(torch.zeros(3, 2))


@pytest.mark.notebook
def test_grade_in_the_kit_without_a_course(kit, tmp_path):
    solved = kit / "solved.ipynb"
    shutil.copy(COURSE / "solutions" / f"{ASSIGNMENT}.ipynb", solved)
    buggy = nbformat.read(solved, 4)
    for cell in buggy.cells:
        if cell.cell_type == "code" and "def softmax" in cell.source:
            cell.source = cell.source.replace("def softmax(X):", "def softmax(X):\n    return (X")
    nbformat.write(buggy, kit / "buggy.ipynb")
    marker = json.loads((kit / "kit.json").read_text())
    for name, expect in (("solved.ipynb", f"Total: public {marker['public_points']:g}/{marker['public_points']:g}"),
                         ("buggy.ipynb", "softmax is not defined: code cell")):
        run = subprocess.run([sys.executable, "-m", "grader.commands.grade", name, "--public-only"],
                             cwd=kit, capture_output=True, text=True, timeout=300)
        assert expect in run.stdout, run.stdout + run.stderr
        assert f"{marker['hidden_points']:g} more points in checks only your instructor's grader runs" in run.stdout
        assert "solutions" not in run.stdout
        defining = re.search(r"code cell (\d+), which defines it", run.stdout)
        if defining:  # the message and the table's note name the cell alike, as Jupyter numbers it
            assert f"code cell {defining.group(1)}: stopped with an error (SyntaxError" in run.stdout


def _solution_lines(source):
    inside = False
    for line in source.splitlines():
        if "BEGIN SOLUTION" in line or "END SOLUTION" in line:
            inside = "BEGIN" in line
        elif inside and line.strip():
            yield line


def test_answers_are_found_by_their_case_within_float32s_tolerance(tmp_path):
    """Keyed by the check that asks and the order of its calls, never by the inputs' bits: an
    input a few ulps away (another CPU's draw) gets the recorded answer; another input, or the
    same input in another check, gets none."""
    module = type("M", (), {"twice": staticmethod(lambda X: 2 * X)})
    recording = RecordingReference(module)
    X, Z = torch.randn(4, 5), torch.randn(4, 5)
    recording.begin_case("test_a")
    recording.twice(X), recording.twice(Z)
    recording.save(tmp_path / "a.json")
    replay = RecordedReference(tmp_path / "a.json")
    replay.begin_case("test_a")
    nudged = torch.nextafter(X, torch.full_like(X, float("inf")))  # one ulp: not the same bits
    assert not torch.equal(nudged, X) and torch.equal(replay.twice(nudged), 2 * X)
    assert torch.equal(replay.twice(Z), 2 * Z)
    assert torch.equal(replay.twice(X), 2 * X)  # out of order: the case's other entries are tried
    with pytest.raises(NotInKit):
        replay.twice(X + 1e-3)  # another input: the student's own result, say
    replay.begin_case("test_b")
    with pytest.raises(NotInKit):
        replay.twice(X)


def test_portable_draws_are_normal_and_leave_the_student_alone():
    from grader.checking.portable_random import PortableRandom, portable_normal, student_side

    torch.manual_seed(0)
    with PortableRandom():
        X = torch.randn(2000, 5, dtype=torch.float64)
        Y = torch.randn((3, 4), requires_grad=True)
        with student_side():
            torch.manual_seed(1)
            native = torch.randn(3)
    assert X.dtype == torch.float64 and Y.shape == (3, 4) and Y.requires_grad
    assert abs(float(X.mean())) < 0.05 and abs(float(X.std()) - 1) < 0.05 and float(X.abs().max()) <= 6
    torch.manual_seed(1)
    assert torch.equal(native, torch.randn(3))  # the student's own code draws as torch does
    generator = torch.Generator().manual_seed(5)
    assert torch.equal(portable_normal((4,), torch.float32, generator),
                       portable_normal((4,), torch.float32, torch.Generator().manual_seed(5)))


def test_the_command_writes_the_kit_and_names_its_files(tmp_path, capsys):
    from grader.commands import grade_admin

    assert grade_admin.main(["student-kit", "01_preprocessing", "--output", str(tmp_path / "kit")]) == 0
    printed = capsys.readouterr().out.split()
    names = [name.rsplit("/", 1)[-1] for name in printed if "/kernel-0/" not in name]
    assert names[:-1] == ["kit.json", "01_preprocessing.ipynb", "01_preprocessing.py", "01_preprocessing.json",
                          "01_preprocessing.bin", "course.toml", "course.mo"]
    wheel = names[-1]  # by default the kit carries the grader's wheel, built here with no index
    assert wheel.startswith("dl_notebook_grader-") and wheel.endswith(".whl")
    assert json.loads((tmp_path / "kit" / "kit.json").read_text())["install"] == f"wheels/{wheel}"
    with zipfile.ZipFile(tmp_path / "kit" / "wheels" / wheel) as built:
        assert "grader/in_notebook.py" in built.namelist()
        assert not [n for n in built.namelist() if n.startswith(("course/", "solutions/", "checks/"))]
    notebook = (tmp_path / "kit" / "assignments" / "01_preprocessing.ipynb").read_text()
    assert f"pip install wheels/{wheel} (in the kit's folder)" in notebook
    # the kit's install command works with no package index (the dependencies are this venv's)
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-index", "--no-deps", "--target",
                    str(target), f"wheels/{wheel}"], cwd=tmp_path / "kit", check=True, capture_output=True)
    probe = ("import sys; sys.path.insert(0, sys.argv[1]); import grader.in_notebook, grader; "
             "from grader.submission.shipped_kits import shipped_archives; print(grader.__file__, sorted(shipped_archives()))")
    done = subprocess.run([sys.executable, "-c", probe, str(target)], cwd=tmp_path, capture_output=True, text=True,
                          check=True)
    assert done.stdout.startswith(str(target)) and "05_mlp" in done.stdout


def test_the_classroom_feedback_workflow_reports_a_failed_install(tmp_path):
    import base64
    import os

    import yaml

    from grader.instructor.classroom import kit_workflow

    text = kit_workflow(ASSIGNMENT, 13, "kit/wheels/g.whl")
    steps = yaml.safe_load(text)["jobs"]["run-autograding-tests"]["steps"]
    assert [s["uses"].split("@")[0] for s in steps if "uses" in s] == [
        "actions/checkout", "actions/setup-python", "classroom-resources/autograding-grading-reporter"]
    assert "secrets" not in text and "--public-only" in text and 'pip install -q "kit/wheels/g.whl"' in text
    grading = next(s for s in steps if s["name"] == "Grade")
    assert grading["if"] == "always()" and steps[-1]["if"] == "always()"
    output = tmp_path / "github_output"
    subprocess.run(["bash", "-e", "-c", grading["run"]], cwd=tmp_path, check=True,
                   env={**os.environ, "INSTALLED": "failure", "GITHUB_OUTPUT": str(output)})
    result = json.loads(base64.b64decode(output.read_text().split("=", 1)[1]))
    assert result["max_score"] == 13 and [t["score"] for t in result["tests"]] == [0]
    assert "could not be installed" in result["tests"][0]["message"]
