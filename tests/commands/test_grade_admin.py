"""`grade-admin`: generating assignments, the Gradescope bundle run end to end, Classroom templates."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

from grader.commands.grade_admin import main
from grader.instructor.gradescope import gradescope_bundle
from grader.submission.course import Course
from grader.submission.course_settings import read_settings

from conftest import COURSE, ROOT

ASSIGNMENT = "04_softmax_regression"
SOLVED = COURSE / "solutions" / f"{ASSIGNMENT}.ipynb"
UNTOUCHED = COURSE / "assignments" / f"{ASSIGNMENT}.ipynb"

# Gradescope's results.json fields (docs/specs.md of gradescope/autograder_samples)
VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}
FORMATS = {"text", "html", "simple_format", "md", "ansi"}
TOP_LEVEL = {"score": (int, float), "execution_time": (int, float), "output": str, "output_format": str,
             "test_output_format": str, "test_name_format": str, "visibility": str,
             "stdout_visibility": str, "extra_data": dict, "tests": list, "leaderboard": list}
PER_TEST = {"score": (int, float), "max_score": (int, float), "status": str, "name": str,
            "name_format": str, "number": str, "output": str, "output_format": str, "tags": list,
            "visibility": str, "extra_data": dict}


def validate_gradescope(data: dict) -> None:
    assert isinstance(data, dict)
    for key, value in data.items():
        assert key in TOP_LEVEL, key
        assert isinstance(value, TOP_LEVEL[key]), (key, value)
    assert "score" in data or all("score" in t for t in data.get("tests", []))
    for key in ("visibility", "stdout_visibility"):
        assert data.get(key, "visible") in VISIBILITY
    for key in ("output_format", "test_output_format", "test_name_format"):
        assert data.get(key, "text") in FORMATS
    for test in data.get("tests", []):
        for key, value in test.items():
            assert key in PER_TEST, key
            assert isinstance(value, PER_TEST[key]), (key, value)
        assert test.get("status", "passed") in ("passed", "failed")
        assert test.get("visibility", "visible") in VISIBILITY


@pytest.fixture
def course_copy(tmp_path) -> Course:
    for part in ("checks", "solutions"):
        (tmp_path / "course" / part).mkdir(parents=True)
    shutil.copy(COURSE / "checks" / f"{ASSIGNMENT}.py", tmp_path / "course" / "checks")
    shutil.copy(SOLVED, tmp_path / "course" / "solutions")
    return Course(tmp_path / "course")


def test_generate_writes_the_assignment(course_copy, capsys):
    assert main(["--course", str(course_copy.root), "generate"]) == 0
    written = course_copy.root / "assignments" / f"{ASSIGNMENT}.ipynb"
    assert written.read_bytes() == UNTOUCHED.read_bytes()
    assert str(written) in capsys.readouterr().out


def test_unknown_assignment_exits_7(tmp_path, capsys):
    assert main(["gradescope", "99_nothing", "--output", str(tmp_path / "a.zip")]) == 7
    assert "unknown assignment" in capsys.readouterr().err
    assert not (tmp_path / "a.zip").exists()


# -- Gradescope --------------------------------------------------------------------------------

def unpack(tmp_path: Path) -> Path:
    """The bundle, unpacked where Gradescope puts it: <root>/source."""
    archive = tmp_path / "autograder.zip"
    assert main(["gradescope", ASSIGNMENT, "--output", str(archive)]) == 0
    root = tmp_path / "autograder"
    with zipfile.ZipFile(archive) as bundle:
        bundle.extractall(root / "source")
        for info in bundle.infolist():
            os.chmod(root / "source" / info.filename, (info.external_attr >> 16) & 0o777)
    (root / "submission").mkdir()
    return root


def run_autograder(root: Path, python: str = sys.executable) -> dict:
    env = {**os.environ, "GRADESCOPE_ROOT": str(root), "GRADER_PYTHON": python}
    env.pop("GRADER_COURSE", None)
    subprocess.run([str(root / "source" / "run_autograder")], env=env, timeout=300, check=True,
                   capture_output=True)
    data = json.loads((root / "results" / "results.json").read_text())
    validate_gradescope(data)
    return data


def test_gradescope_bundle_holds_the_grader_checks_and_solution(tmp_path):
    with zipfile.ZipFile(__import__("io").BytesIO(gradescope_bundle(Course(COURSE), ASSIGNMENT))) as bundle:
        names = set(bundle.namelist())
        modes = {i.filename: (i.external_attr >> 16) & 0o777 for i in bundle.infolist()}
        setup = bundle.read("setup.sh").decode()
        run = bundle.read("run_autograder").decode()
    assert {"setup.sh", "run_autograder", "grader-src/pyproject.toml", "grader-src/grader/pipeline.py",
            "grader-src/grader/checking/checks.ini", f"course/checks/{ASSIGNMENT}.py",
            f"course/solutions/{ASSIGNMENT}.ipynb", "grader-src/grader/commands/grade_admin.py",
            "grader-src/grader/instructor/gradescope.py"} <= names
    package = ROOT / "grader"
    for data in [*package.glob("instructor/templates/*"), *package.rglob("*.py")]:  # all of it
        if "__pycache__" not in data.parts:
            assert f"grader-src/grader/{data.relative_to(package).as_posix()}" in names, data
    assert not any("__pycache__" in n or n.endswith(".pyc") for n in names)
    assert not any(n.startswith("course/solutions/") and ASSIGNMENT not in n for n in names)
    assert {"course/course.toml", "course/kernel-0/d2l/torch.py", "course/kernel-0/d2l/__init__.py",
            "course/lib-0/d2l_course/in_kernel.py", "course/lib-0/d2l_course/fixtures.py"} <= names
    with zipfile.ZipFile(__import__("io").BytesIO(gradescope_bundle(Course(COURSE), ASSIGNMENT))) as bundle:
        bundle.extractall(tmp_path)
    settings = read_settings(tmp_path / "course")  # the course's checks find d2l_course there
    assert settings.checks_paths == ((tmp_path / "course" / "lib-0").resolve(),)
    assert settings.fixtures == ("d2l_course.fixtures",) and settings.kernel_paths[0].name == "kernel-0"
    assert modes["setup.sh"] == modes["run_autograder"] == 0o755
    assert "bubblewrap" in setup and "torch==2.13.0" in setup and "download.pytorch.org/whl/cpu" in setup
    assert setup.index("torch==") < setup.index("grader-src")  # torch (CPU) first
    assert "/autograder/results/results.json" not in run or "GRADESCOPE_RESULTS" in run
    for script in (setup, run):
        subprocess.run(["bash", "-n"], input=script, text=True, check=True)


def test_run_autograder_writes_results_even_without_python(tmp_path):
    root = unpack(tmp_path)
    data = run_autograder(root, python="/bin/false")
    assert data["score"] == 0 and data["tests"] == []


def test_run_autograder_without_a_notebook(tmp_path):
    root = unpack(tmp_path)
    (root / "submission" / "answers.txt").write_text("softmax = exp / sum")
    data = run_autograder(root)
    assert data["score"] == 0 and "no notebook" in data["output"] and "answers.txt" in data["output"]
    assert len(data["tests"]) == 14 and all(t["score"] == 0 for t in data["tests"])


def test_run_autograder_with_a_file_that_is_not_a_notebook(tmp_path):
    root = unpack(tmp_path)
    (root / "submission" / f"{ASSIGNMENT}.ipynb").write_text("<html>oops</html>")
    data = run_autograder(root)
    assert data["score"] == 0 and "could not be graded" in data["output"]


@pytest.mark.notebook
def test_run_autograder_grades_a_solved_notebook(tmp_path):
    root = unpack(tmp_path)
    shutil.copy(SOLVED, root / "submission" / "my softmax.ipynb")
    data = run_autograder(root)
    assert data["score"] == 17 == sum(t["max_score"] for t in data["tests"])
    assert all(t["status"] == "passed" for t in data["tests"])
    # 04's checks are all public now (its hidden ones became public twins); hidden checks'
    # visibility ("after_published") is pinned by the reporter's tests
    assert all(t["visibility"] == "visible" for t in data["tests"])


# -- GitHub Classroom --------------------------------------------------------------------------

@pytest.fixture
def template(tmp_path) -> Path:
    output = tmp_path / "template"
    assert main(["classroom", ASSIGNMENT, "--output", str(output)]) == 0
    return output


def grade_step(workflow: dict) -> dict:
    steps = workflow["jobs"]["run-autograding-tests"]["steps"]
    return next(step for step in steps if step.get("id") == "grade")


def test_classroom_workflow_is_what_classroom_expects(template):
    workflow = yaml.safe_load((template / ".github" / "workflows" / "classroom.yml").read_text())
    assert workflow["name"] == "Autograding Tests"
    assert workflow[True] == ["push", "repository_dispatch"]  # YAML 1.1 reads `on` as True
    assert workflow["permissions"] == {"checks": "write", "actions": "read", "contents": "read"}
    assert list(workflow["jobs"]) == ["run-autograding-tests"]
    job = workflow["jobs"]["run-autograding-tests"]
    assert job["if"] == "github.actor != 'github-classroom[bot]'"
    step = grade_step(workflow)
    assert f"grade {ASSIGNMENT}.ipynb" in step["run"]
    assert "--format classroom --output result.json" in step["run"]
    assert 'echo "result=$(base64 -w0 result.json)" >> "$GITHUB_OUTPUT"' in step["run"]
    reporter = job["steps"][-1]
    assert reporter["uses"].split("@")[0] == "classroom-resources/autograding-grading-reporter"  # pinned to a commit
    assert reporter["with"] == {"runners": "grade"}
    assert reporter["env"] == {"GRADE_RESULTS": "${{ steps.grade.outputs.result }}"}
    assert "secrets.GRADER_TOKEN" in yaml.safe_dump(workflow)


def test_classroom_template_holds_no_checks_or_solutions(template):
    files = sorted(p.relative_to(template).as_posix() for p in template.rglob("*") if p.is_file())
    assert files == [".github/workflows/classroom.yml", f"{ASSIGNMENT}.ipynb"]
    assert (template / f"{ASSIGNMENT}.ipynb").read_bytes() == UNTOUCHED.read_bytes()
    text = (template / ".github" / "workflows" / "classroom.yml").read_text()
    assert "BEGIN SOLUTION" not in text and "pytest.mark.check" not in text


@pytest.mark.notebook
@pytest.mark.skipif(shutil.which("grade") is None, reason="needs the grade console script")
def test_classroom_grade_step_reports_every_point(template, course_copy, tmp_path):
    """Run the workflow's grading step as Actions would; decode what the reporter reads."""
    workflow = yaml.safe_load((template / ".github" / "workflows" / "classroom.yml").read_text())
    shutil.copy(SOLVED, template / f"{ASSIGNMENT}.ipynb")  # the student solved it
    outputs = tmp_path / "github_output"
    env = {**os.environ, "GRADER_COURSE": str(course_copy.root), "GITHUB_OUTPUT": str(outputs),
           "RUNNER_TEMP": str(tmp_path)}
    subprocess.run(["bash", "-e", "-c", grade_step(workflow)["run"]], cwd=template, env=env,
                   check=True, capture_output=True, timeout=300)
    assert not course_copy.root.exists()  # the step removes the course it fetched
    line = outputs.read_text().strip()
    assert line.startswith("result=")
    data = json.loads(base64.b64decode(line[len("result="):]))
    assert data["version"] == 1 and data["status"] == "pass"
    assert len(data["tests"]) == 14
    # what the reporter sends Classroom (the sum of scores) and what it prints agree
    total = sum(t["score"] for t in data["tests"])
    passed = sum(t["status"] == "pass" for t in data["tests"])
    assert total == data["max_score"] == 17 == passed / len(data["tests"]) * data["max_score"]


def test_classroom_fallback_result_is_valid(template):
    """What the step writes when `grade` could not even start."""
    workflow = yaml.safe_load((template / ".github" / "workflows" / "classroom.yml").read_text())
    run = grade_step(workflow)["run"]
    fallback = json.loads(run.split("echo '", 1)[1].split("' > result.json", 1)[0])
    assert fallback["max_score"] == 17 and fallback["tests"][0]["status"] == "error"
    assert fallback["tests"][0]["score"] == 0


def test_run_autograder_ignores_a_link_to_the_solution(tmp_path):
    root = unpack(tmp_path)
    solution = root / "source" / "course" / "solutions" / f"{ASSIGNMENT}.ipynb"
    (root / "submission" / f"{ASSIGNMENT}.ipynb").symlink_to(solution)
    data = run_autograder(root)
    assert data["score"] == 0 and "no notebook" in data["output"]
