"""Without namespaces (issue 21, section 3): before any notebook runs, the grader checks as a
user of no rights that none of the course's solutions and checks files, and in a batch none of
the submissions, can be opened, and refuses naming the exposed file; a batch's processes show
no path of a submission on their command line."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from grader.errors import NotIsolated
from grader.execute import exposure

from conftest import ROOT

pytestmark = pytest.mark.skipif(os.getuid() != 0 or not Path("/usr/bin/python3").exists(),
                                reason="tries files as another uid: needs root")


@pytest.fixture(autouse=True)
def system_python(monkeypatch):
    """The probe runs as another uid: with a Python any user can run (this one may be under /root)."""
    monkeypatch.setattr(exposure, "PYTHON", "/usr/bin/python3")
    exposure.refuse_if_course_exposed.cache_clear()


@pytest.fixture
def open_place():
    """A folder any user may enter (pytest's own are closed to others), removed after."""
    place = Path(tempfile.mkdtemp(prefix="grader-exposure-", dir="/var/tmp"))
    place.chmod(0o755)
    yield place
    shutil.rmtree(place, ignore_errors=True)


def course_at(place: Path) -> Path:
    for folder in ("solutions", "checks"):
        (place / "course" / folder).mkdir(parents=True)
    (place / "course" / "solutions" / "a.ipynb").write_text("{}")
    (place / "course" / "checks" / "a.py").write_text("")
    for path in [place / "course", *(place / "course").rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    return place / "course"


def test_a_course_closed_by_the_grader_is_not_exposed(open_place):
    course = course_at(open_place)
    exposure.refuse_if_course_exposed((course / "solutions", course / "checks"))  # closes them
    assert (course / "solutions").stat().st_mode & 0o007 == 0


def test_a_course_the_grader_cannot_close_is_refused_and_named(open_place, monkeypatch):
    """Where closing fails (a read-only mount, files of another owner), the try as another
    user finds the solution open: one line naming it, before anything runs."""
    course = course_at(open_place)
    monkeypatch.setattr(exposure, "close_to_others", lambda paths: [])
    with pytest.raises(NotIsolated, match="can be read by other users") as refused:
        exposure.refuse_if_course_exposed((course / "solutions", course / "checks"))
    assert "a.ipynb" in str(refused.value) and "and 1 more" in str(refused.value)
    assert "chmod -R o-rwx" in str(refused.value)


def test_readable_submissions_are_refused_closed_ones_pass(open_place):
    notebook = open_place / "alice.ipynb"
    notebook.write_text("{}")
    notebook.chmod(0o644)
    with pytest.raises(NotIsolated, match="submissions"):
        exposure.refuse_if_submissions_exposed([notebook])
    notebook.chmod(0o600)  # the control
    exposure.refuse_if_submissions_exposed([notebook])


def test_a_batch_shows_no_path_on_its_command_line():
    code = ("from grader.execute.exposure import hide_command_line; import os; "
            "hide_command_line(); pid = os.fork()\n"
            "if pid == 0:\n    print(open('/proc/self/cmdline', 'rb').read()); os._exit(0)\n"
            "os.waitpid(pid, 0); print(open('/proc/self/cmdline', 'rb').read())")
    shown = subprocess.run([sys.executable, "-c", code, "/secret/submissions/alice.ipynb"], cwd=ROOT,
                           capture_output=True, text=True, timeout=60).stdout
    assert "secret" not in shown and shown.count("grade (batch)") == 2
