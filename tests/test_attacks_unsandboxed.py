"""Attacks where bubblewrap cannot run, as in Gradescope's Docker container: the second line of
defence (a uid of the kernel's own) holds, and every failure is one line. The same attacks are
held inside bubblewrap too.

Simulated as it happens, as root: a private mount namespace (`unshare -m`) in which `bwrap` is
bound to a script that fails ("No permissions to create new namespace") and every cgroup mount
is read-only (no pids cgroup: RLIMIT_NPROC of the kernel's own uid caps its processes). Where
this machine's Python lives under a folder closed to other users (/root, for pyenv), the
namespace opens that one folder, as an image's /autograder/venv or /usr would be.

The course graded is a copy, readable by everyone as an instructor's checkout would be; the
grader's package folder is closed to others by the grading (its mode is restored after).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell

from grader.submission.course import PACKAGE_DIR

from conftest import COURSE, ROOT

ASSIGNMENT = "04_softmax_regression"
FAILING_BWRAP = """#!/bin/sh
echo "bwrap: No permissions to create new namespace, likely because the kernel does not allow non-privileged user namespaces." >&2
exit 1
"""
# passes the probe (`... true`, `--help`), fails when it starts a kernel
FLAKY_BWRAP = """#!/bin/sh
for last; do :; done
[ "$last" = true ] || [ "$1" = --help ] && exit 0
echo "bwrap: Can't mount proc on /newroot/proc: Operation not permitted" >&2
exit 1
"""

needs_root_and_unshare = pytest.mark.skipif(
    os.getuid() != 0 or shutil.which("unshare") is None or shutil.which("bwrap") is None,
    reason="simulates a container as root: needs root, unshare and an installed bwrap to cover")


def container_script(fake_bwrap: Path, command: list[str]) -> str:
    """Shell lines, run in `unshare -m`, that make this machine look like Gradescope's."""
    lines = ["set -e", "mount --make-rprivate /",
             f"mount --bind {fake_bwrap} \"$(command -v bwrap)\"",
             "for m in $(awk '$2 ~ \"^/sys/fs/cgroup\" {print $2}' /proc/self/mounts | sort -r); do"
             " mount -o remount,bind,ro \"$m\"; done"]
    prefix = Path(sys.prefix).resolve()
    if prefix.is_relative_to("/root") and not os.stat("/root").st_mode & 0o001:
        top = Path("/root") / prefix.relative_to("/root").parts[0]
        lines += ["keep=$(mktemp -d)", f"mount --rbind {top} \"$keep\"",
                  "mount -t tmpfs -o mode=755 tmpfs /root", f"mkdir {top}",
                  f"mount --move \"$keep\" {top}"]
    lines.append("exec " + " ".join(f"'{part}'" for part in command))
    return "\n".join(lines)


def hostile_cell(course: Path, results: Path, marker: str) -> str:
    """Every attack of the issue at once; the cell ends by naming those that worked."""
    return textwrap.dedent(f"""
        import json, os, subprocess
        got = []
        solution = {str(course / 'solutions' / (ASSIGNMENT + '.ipynb'))!r}
        checks = {str(course / 'checks' / (ASSIGNMENT + '.py'))!r}
        for name, path in (("read-solution", solution), ("read-checks", checks)):
            try:
                open(path).read(); got.append(name)
            except OSError:
                pass
        try:
            for cell in json.load(open(solution))["cells"]:
                if cell["cell_type"] == "code":
                    try:
                        exec("".join(cell["source"]), globals())
                    except Exception:
                        pass
            got.append("ran-solution")
        except OSError:
            pass
        try:
            open(checks, "w").write("def test_free():\\n    pass\\n"); got.append("rewrote-checks")
        except OSError:
            pass
        for pid in os.listdir("/proc"):
            try:
                if b"secret-{marker}" in open(f"/proc/{{pid}}/environ", "rb").read():
                    got.append("secret")
                    break
            except (OSError, ValueError):
                pass
        forger = ("while [ ! -s {results} ]; do sleep 0.2; done; sleep 1; "
                  "echo '{{\\"score\\": 17}}' > {results}")
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                os.execvp("sh", ["sh", "-c", forger, "forger-{marker}"])
            os._exit(0)
        children = 0
        for _ in range(150):
            try:
                subprocess.Popen(["sleep", "600.{marker}"]); children += 1
            except OSError:
                break
        if children >= 150:
            got.append("forked-150")
        raise RuntimeError("got:" + (",".join(got) or "nothing"))
        """)


def processes_with(marker: str) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker in (entry / "cmdline").read_bytes().decode(errors="replace"):
                    found.append(entry.name)
            except OSError:
                pass
    return found


@pytest.fixture
def world_readable_course():
    """A copy of the course where any user could read it (not under pytest's 0700 folder)."""
    place = Path(tempfile.mkdtemp(prefix="grader-course-", dir="/var/tmp"))
    place.chmod(0o755)
    course = place / "course"
    for folder in ("solutions", "checks"):
        shutil.copytree(COURSE / folder, course / folder)
    for path in [course, *course.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    results = place / "results"
    results.mkdir(mode=0o755)
    package_mode = PACKAGE_DIR.stat().st_mode & 0o777
    yield course, results / "results.json"
    PACKAGE_DIR.chmod(package_mode)
    shutil.rmtree(place, ignore_errors=True)


def grade_hostile(tmp_path: Path, course: Path, results: Path, container: bool) -> dict:
    """Grade the template with the hostile cell (in the simulated container, or not) and check
    that it got nothing and left nothing; return the report."""
    marker = str(os.getpid())
    notebook = nbformat.read(COURSE / "assignments" / f"{ASSIGNMENT}.ipynb", as_version=4)
    notebook.cells.append(new_code_cell(hostile_cell(course, results, marker)))
    path = tmp_path / f"{ASSIGNMENT}.ipynb"
    nbformat.write(notebook, path)
    checks_before = (course / "checks" / f"{ASSIGNMENT}.py").read_bytes()
    command = [sys.executable, "-m", "grader.commands.grade", "--cold", str(path),
               "--course", str(course), "--format", "json", "--output", str(results)]
    if container:
        fake = tmp_path / "bwrap"
        fake.write_text(FAILING_BWRAP)
        fake.chmod(0o755)
        command = ["unshare", "-m", "sh", "-c", container_script(fake, command)]
    env = {**os.environ, "GRADER_TOKEN": f"secret-{marker}", "GITHUB_TOKEN": f"secret-{marker}"}
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    time.sleep(2.5)  # the forger, had it survived, would have written by now
    report = json.loads(results.read_text())
    hostile = report["execution"]["cells"][-1]
    assert hostile["summary"] == "RuntimeError: got:nothing", hostile
    assert report["score"] < report["max_score"] / 2
    assert (course / "checks" / f"{ASSIGNMENT}.py").read_bytes() == checks_before
    assert processes_with(f"forger-{marker}") == [] and processes_with(f"600.{marker}") == []
    assert f"secret-{marker}" not in results.read_text()
    return report


@pytest.mark.notebook
@pytest.mark.hostile
@needs_root_and_unshare
def test_without_bubblewrap_the_kernel_user_earns_and_keeps_nothing(tmp_path, world_readable_course):
    fake = tmp_path / "bwrap"
    fake.write_text(FAILING_BWRAP)
    fake.chmod(0o755)
    probe = [sys.executable, "-c", "from grader.execute.sandbox import isolation_for; "
             "from grader.options import SandboxPolicy; print(isolation_for(SandboxPolicy()).value)"]
    seen = subprocess.run(["unshare", "-m", "sh", "-c", container_script(fake, probe)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120).stdout.split()
    if seen != ["unprivileged-user"]:
        pytest.skip(f"this machine's Python is closed to other users (isolation: {seen})")
    report = grade_hostile(tmp_path, *world_readable_course, container=True)
    assert report["isolation"] == "unprivileged-user"
    assert "no bubblewrap sandbox" in report["reason"] and "No permissions" in report["reason"]


@pytest.mark.notebook
@pytest.mark.hostile
@pytest.mark.skipif(shutil.which("bwrap") is None, reason="needs bubblewrap")
def test_inside_bubblewrap_the_same_attacks_earn_and_keep_nothing(tmp_path, world_readable_course):
    report = grade_hostile(tmp_path, *world_readable_course, container=False)
    assert report["isolation"] == "bubblewrap"
    assert "sandbox" not in report["reason"]


@pytest.mark.notebook  # a whole grading run, in a subprocess
@needs_root_and_unshare
def test_a_sandbox_that_fails_after_its_probe_is_one_line_and_exit_8(tmp_path):
    fake = tmp_path / "bwrap"
    fake.write_text(FLAKY_BWRAP)
    fake.chmod(0o755)
    command = [sys.executable, "-m", "grader.commands.grade", "--cold",
               str(COURSE / "solutions" / f"{ASSIGNMENT}.ipynb")]
    done = subprocess.run(["unshare", "-m", "sh", "-c", container_script(fake, command)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 8, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "kernel" in done.stderr and "bubblewrap" in done.stderr


@pytest.mark.hostile
@needs_root_and_unshare
def test_as_root_without_bubblewrap_and_a_closed_python_nothing_runs(tmp_path, world_readable_course):
    """Issue 21: as root, bubblewrap failing and the grader's Python closed to other users (a
    venv under a home folder), the notebook ran as root with limits only (17/17 by running
    the solution). Now: one line, exit 12, no results file, and not a cell run."""
    course, results = world_readable_course
    fake = tmp_path / "bwrap"
    fake.write_text(FAILING_BWRAP)
    fake.chmod(0o755)
    ran = tmp_path / "ran"
    notebook = nbformat.v4.new_notebook(cells=[new_code_cell(f"open({str(ran)!r}, 'w').write('x')")])
    path = tmp_path / f"{ASSIGNMENT}.ipynb"
    nbformat.write(notebook, path)
    command = [sys.executable, "-m", "grader.commands.grade", "--cold", str(path), "--course",
               str(course), "--output", str(results)]
    done = subprocess.run(["unshare", "-m", "sh", "-c", container_script(fake, command)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    if done.returncode == 0:
        pytest.skip("this machine's Python is open to other users: the kernel user isolates")
    assert done.returncode == 12, done.stderr[-2000:]
    assert len(done.stderr.strip().splitlines()) == 1 and "refused" in done.stderr
    assert "install bubblewrap" in done.stderr and "other users can read" in done.stderr
    assert not results.exists() and not ran.exists()
