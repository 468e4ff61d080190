"""The platform files are real files with `@name@` blanks: filled strictly, the rest untouched."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest
import yaml

from conftest import ROOT

from grader.instructor.classroom import WORKFLOW, classroom_workflow
from grader.instructor.template_files import FileTemplate, fill

TEMPLATES = resources.files("grader.instructor").joinpath("templates")
BLANKS = {"setup.sh": {"torch"}, "run_autograder": {"assignment", "lang"},
          "classroom.yml": {"assignment", "notebook", "public_only", "torch", "fallback", "lang", "grader"},
          "classroom_kit.yml": {"assignment", "notebook", "torch", "grader", "fallback", "install_fallback", "lang"}}


def test_every_template_is_packaged_and_has_the_blanks_its_filler_gives():
    assert sorted(entry.name for entry in TEMPLATES.iterdir()) == sorted(BLANKS)
    for name, blanks in BLANKS.items():
        assert set(FileTemplate(TEMPLATES.joinpath(name).read_text()).get_identifiers()) == blanks


@pytest.mark.parametrize("name", ["setup.sh", "run_autograder"])
def test_shell_templates_are_shell_as_they_stand(name):
    subprocess.run(["bash", "-n"], input=TEMPLATES.joinpath(name).read_text(), text=True, check=True)


def test_a_missing_value_is_an_error_not_a_blank_left_in():
    with pytest.raises(KeyError, match="assignment"):
        fill("run_autograder")


def test_shell_and_workflow_syntax_pass_through_untouched():
    script = fill("run_autograder", assignment="04_softmax_regression", lang="")
    assert 'ROOT="${GRADESCOPE_ROOT:-/autograder}"' in script
    assert "gradescope-run 04_softmax_regression --submission" in script
    workflow = classroom_workflow("04_softmax_regression", 17, public_only=True)
    assert "${{ secrets.GRADER_TOKEN }}" in workflow and "actions/checkout@" in workflow
    assert "--assignment 04_softmax_regression --public-only --format classroom" in workflow
    step = yaml.safe_load(workflow)["jobs"]["run-autograding-tests"]["steps"][4]["run"]
    fallback = json.loads(step.split("echo '", 1)[1].split("' > result.json", 1)[0])
    assert fallback["max_score"] == 17


def test_nothing_grade_prints_in_the_classroom_step_is_a_workflow_command(tmp_path):
    """The grading step stops workflow commands around `grade` with a fresh random token and
    resumes them on a line of its own, even when `grade`'s last line has no line break."""
    bin_folder = tmp_path / "bin"
    bin_folder.mkdir()
    fake_grade = bin_folder / "grade"
    fake_grade.write_text("#!/bin/sh\necho '::error::forged'\necho '  ::add-mask::secret' >&2\n"
                          "echo '{}' > result.json\nprintf '::stop-commands::mine'\n")
    fake_grade.chmod(0o755)
    run = yaml.safe_load(classroom_workflow("04_softmax_regression", 17))[
        "jobs"]["run-autograding-tests"]["steps"][4]["run"]
    env = {"PATH": f"{bin_folder}:{Path(sys.executable).parent}:/usr/bin:/bin", "GITHUB_OUTPUT": str(tmp_path / "out"),
           "GRADER_COURSE": str(tmp_path / "course")}
    lines = [subprocess.run(["bash", "-e", "-c", run], cwd=tmp_path, env=env, check=True,
                            capture_output=True, text=True, timeout=60).stdout.splitlines()
             for _ in range(2)]
    tokens = []
    for out in lines:
        assert out[0].startswith("::stop-commands::")
        token = out[0].removeprefix("::stop-commands::")
        assert len(token) == 32 and int(token, 16) >= 0
        assert out[-1] == f"::{token}::"
        assert out[1:-1] == ["::error::forged", "::stop-commands::mine"]
        tokens.append(token)
    assert tokens[0] != tokens[1]  # fresh each run


def _workflows(tmp_path):
    from grader.instructor.classroom import kit_workflow

    return {"final.yml": classroom_workflow("04_softmax_regression", 17),
            "own.yml": classroom_workflow("dropout", 3, grader=".grader/wheels/g.whl"),
            "kit.yml": kit_workflow("04_softmax_regression", 13, "kit/wheels/g.whl")}


PINNED = re.compile(r"^\s*uses: ([\w.-]+/[\w./-]+)@([0-9a-f]{40})  # (v\d[\w.]*)$")


def test_generated_workflows_pin_every_action_and_keep_no_credentials(tmp_path):
    """Each action by a full commit, its tag in a comment (zizmor's unpinned-uses); the
    checkout leaves no token in .git/config (artipacked)."""
    for name, text in _workflows(tmp_path).items():
        uses = [line for line in text.splitlines() if "uses:" in line]
        assert uses and all(PINNED.match(line) for line in uses), name
        steps = yaml.safe_load(text)["jobs"]["run-autograding-tests"]["steps"]
        checkout = next(s for s in steps if s.get("uses", "").startswith("actions/checkout@"))
        assert checkout["with"]["persist-credentials"] is False, name


def _zizmor():
    found = shutil.which("zizmor") or (Path(sys.executable).parent / "zizmor")
    return str(found) if found and Path(found).is_file() else None


@pytest.mark.skipif(_zizmor() is None, reason="zizmor is not installed (pip install zizmor)")
def test_zizmor_finds_nothing_high_in_the_generated_workflows(tmp_path):
    folder = tmp_path / ".github" / "workflows"
    folder.mkdir(parents=True)
    for name, text in _workflows(tmp_path).items():
        (folder / name).write_text(text)
    done = subprocess.run([_zizmor(), "--offline", "--format", "json", str(folder)], capture_output=True,
                          text=True, check=False)
    findings = json.loads(done.stdout or "[]")
    assert done.returncode in (0, 11, 12, 13, 14) or findings, done.stderr[-500:]
    high = [f"{f['ident']} in {f['locations'][0]['symbolic']['key']}" for f in findings
            if f["determinations"]["severity"] == "High"]
    assert high == []


@pytest.mark.notebook
def test_own_course_workflow_grades_with_a_private_repository_holding_only_the_course(tmp_path):
    """`grade-admin --course DIR classroom ID`: the template holds the notebook, the workflow and
    the grader's wheel, no checks and no solution; its grading step, run here as the runner
    would (the clone stood in for by a copy of the course folder alone), gives full marks."""
    import base64
    import os

    from grader.instructor.classroom import write_classroom_template
    from grader.submission.course import Course

    private = tmp_path / "private"
    shutil.copytree(ROOT / "examples" / "course", private)  # solutions/, checks/, assignments/ only
    template = tmp_path / "template"
    written = write_classroom_template(Course.adding_to_builtin(private), "dropout", template)
    names = sorted(str(p.relative_to(template)) for p in written)
    assert names[0].startswith(".github/workflows/") and names[1].startswith(".grader/wheels/")
    assert names[1].endswith(".whl") and names[2] == "dropout.ipynb" and len(names) == 3
    assert not (template / "checks").exists() and not (template / "solutions").exists()
    steps = yaml.safe_load((template / WORKFLOW).read_text())["jobs"]["run-autograding-tests"]["steps"]
    install = next(s for s in steps if s["name"] == "Install the grader")["run"]
    assert f'pip install -q "{names[1]}"' in install and "$RUNNER_TEMP/course" not in install
    assert f"pip install {names[1]}" in (template / "dropout.ipynb").read_text()  # the check cell says it

    runner = tmp_path / "runner"
    shutil.copytree(private, runner / "course")  # what the fetch step clones
    shutil.copyfile(private / "solutions" / "dropout.ipynb", template / "dropout.ipynb")  # a solved submission
    output = tmp_path / "github_output"
    grading = next(s for s in steps if s["name"] == "Grade")
    env = {**os.environ, "GRADER_COURSE": str(runner / "course"), "RUNNER_TEMP": str(runner),
           "GITHUB_OUTPUT": str(output), "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    subprocess.run(["bash", "-e", "-c", grading["run"]], cwd=template, env=env, check=True,
                   capture_output=True, timeout=300)
    result = json.loads(base64.b64decode(output.read_text().split("=", 1)[1]))
    assert result["max_score"] > 0 and sum(t["score"] for t in result["tests"]) == result["max_score"]
    assert not (runner / "course").exists()  # the step deletes the clone
