"""No notebook runs unisolated by accident (issue 21, section 3): the isolation is decided
before any student code runs; where neither bubblewrap nor a kernel user of its own can isolate
the notebook and the course holds secrets, `grade` refuses with one line, exit status 12 and no
results file. A student's kit holds no secrets and runs as before, labelled; --no-sandbox runs
unisolated with a warning first, and the Gradescope and Classroom entry points refuse it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from grader.commands import grade as grade_command
from grader.errors import EnvironmentProblem, ExitStatus, NotIsolated
from grader.execute import sandbox
from grader.instructor import gradescope
from grader.options import GradeOptions, SandboxPolicy, course_secrets, sandbox_policy
from grader.results import GradeStatus, Isolation
from grader.submission.course import KIT_MARKER, Course

from conftest import COURSE, ROOT

ASSIGNMENT = "04_softmax_regression"


@pytest.fixture
def nothing_isolates(monkeypatch):
    """A machine without bubblewrap where the grader is not root: resource limits only."""
    sandbox.probe_bubblewrap.cache_clear()
    monkeypatch.setattr(sandbox.shutil, "which", lambda name, **kw: None)
    monkeypatch.setattr(sandbox.os, "getuid", lambda: 1000)
    yield
    sandbox.probe_bubblewrap.cache_clear()


@pytest.fixture
def kit(tmp_path) -> Course:
    """A student kit: public checks and recorded answers, nothing the student has not got."""
    folder = tmp_path / "kit"
    (folder / "checks").mkdir(parents=True)
    (folder / KIT_MARKER).write_text("{}")
    return Course(folder)


def test_a_course_with_solutions_holds_secrets_and_a_kit_none(kit):
    assert "solutions" in course_secrets(GradeOptions(course=Course(COURSE)))
    assert "hidden checks" not in course_secrets(GradeOptions(course=Course(COURSE), public_only=True))
    assert course_secrets(GradeOptions(course=kit, public_only=True)) == ()
    assert not sandbox_policy(GradeOptions(course=Course(COURSE))).allow_unisolated
    assert sandbox_policy(GradeOptions(course=kit)).allow_unisolated


def test_unisolated_with_secrets_is_refused_with_the_reason_and_the_fix(nothing_isolates):
    with pytest.raises(NotIsolated) as refused:
        sandbox.isolation_for(sandbox_policy(GradeOptions(course=Course(COURSE))))
    line = str(refused.value)
    assert "\n" not in line and "not installed" in line and "not root" in line
    assert "install bubblewrap" in line and "user namespaces" in line and "other users can read" in line
    assert refused.value.exit_status == ExitStatus.NOT_ISOLATED == 12
    assert str(sys.prefix) not in refused.value.problem  # a student may read the problem


def test_a_kit_or_no_sandbox_runs_unisolated_and_labelled(nothing_isolates, kit):
    assert sandbox.isolation_for(sandbox_policy(GradeOptions(course=kit))) is Isolation.RLIMITS
    asked = GradeOptions(course=Course(COURSE), policy=SandboxPolicy(use_bubblewrap=False))
    assert sandbox.isolation_for(sandbox_policy(asked)) is Isolation.RLIMITS
    assert sandbox.isolation_note(Isolation.RLIMITS, SandboxPolicy()).startswith("NOT ISOLATED")


def test_grade_refuses_before_any_cell_with_exit_12_and_no_results_file(nothing_isolates, tmp_path,
                                                                       capsys, monkeypatch):
    import grader.pipeline

    ran = []
    monkeypatch.setattr(grader.pipeline, "execute_notebook", lambda *a: ran.append(a))
    results = tmp_path / "results.json"
    status = grade_command.main([str(COURSE / "solutions" / f"{ASSIGNMENT}.ipynb"), "--cold",
                                 "--course", str(COURSE), "--output", str(results)])
    err = capsys.readouterr().err
    assert status == 12 and ran == [] and not results.exists()
    assert len(err.strip().splitlines()) == 1 and "refused" in err and "Traceback" not in err
    # the control: on --no-sandbox the kernel is asked for, after the warning
    started = []

    def no_kernel(policy):  # stands in for start_kernel
        started.append(sandbox.isolation_for(policy))
        raise EnvironmentProblem("no kernel in this test")

    monkeypatch.setattr(grader.pipeline, "start_kernel", no_kernel)
    status = grade_command.main([str(COURSE / "solutions" / f"{ASSIGNMENT}.ipynb"), "--cold",
                                 "--course", str(COURSE), "--no-sandbox"])
    assert status == 8 and started == [Isolation.RLIMITS]
    assert "warning: --no-sandbox" in capsys.readouterr().err


def test_classroom_and_gradescope_refuse_no_sandbox(tmp_path, capsys):
    status = grade_command.main([str(COURSE / "solutions" / f"{ASSIGNMENT}.ipynb"), "--no-sandbox",
                                 "--format", "classroom"])
    assert status == ExitStatus.USAGE and "never grades with --no-sandbox" in capsys.readouterr().err
    submission = tmp_path / "submission"
    submission.mkdir()
    (submission / f"{ASSIGNMENT}.ipynb").write_text("{}")
    results = tmp_path / "results.json"
    options = GradeOptions(course=Course(COURSE), policy=SandboxPolicy(use_bubblewrap=False))
    report = gradescope.run_gradescope(ASSIGNMENT, submission, results, options)
    assert report.status is GradeStatus.UNGRADABLE
    assert json.loads(results.read_text())["score"] == 0


def test_gradescope_refuses_where_nothing_isolates(nothing_isolates, tmp_path, monkeypatch):
    graded = []
    monkeypatch.setattr(gradescope, "grade_or_explain", lambda *a: graded.append(a))
    submission = tmp_path / "submission"
    submission.mkdir()
    (submission / f"{ASSIGNMENT}.ipynb").write_text("{}")
    results = tmp_path / "results.json"
    report = gradescope.run_gradescope(ASSIGNMENT, submission, results, GradeOptions(course=Course(COURSE)))
    output = json.loads(results.read_text())["output"]
    assert graded == [] and report.status is GradeStatus.UNGRADABLE
    assert "refused" in output and "isolated" in output and "/" not in output.split("refused")[1]


SYSTEM_PYTHON = Path("/usr/bin/python3")  # one that any user can run (this one may be under /root)


@pytest.mark.skipif(os.getuid() != 0 or not SYSTEM_PYTHON.exists(),
                    reason="runs two processes as another uid with the system's Python: needs root")
def test_the_grader_keeps_its_environment_from_a_kernel_of_its_own_user(tmp_path):
    """With resource limits only the kernel is the grader's user: /proc/<grader>/environ is
    closed to it once the grader is non-dumpable (the control: readable before)."""
    uid = 1_900_000_000 + os.getpid() % 1000
    grader = ("import sys, time; from grader.execute.sandbox import keep_environment_from_same_user;"
              " sys.argv[1:] == ['hide'] and keep_environment_from_same_user(); print('ready', flush=True);"
              " time.sleep(30)")
    seen = {}
    for mode in ("show", "hide"):
        process = subprocess.Popen([str(SYSTEM_PYTHON), "-c", grader, mode], user=uid, group=uid,
                                   extra_groups=[], env={"GRADER_TOKEN": "secret-x",
                                                         "PYTHONPATH": str(ROOT)},
                                   stdout=subprocess.PIPE, text=True, cwd="/")
        try:
            assert process.stdout.readline().strip() == "ready"
            read = subprocess.run(
                [str(SYSTEM_PYTHON), "-c", f"print(b'secret-x' in open('/proc/{process.pid}/environ', 'rb').read())"],
                user=uid, group=uid, extra_groups=[], capture_output=True, text=True, timeout=30)
            seen[mode] = read.stdout.strip() or "refused"
        finally:
            process.kill()
            process.communicate()
    assert seen == {"show": "True", "hide": "refused"}
