"""The isolation chosen (bubblewrap, an unprivileged user, rlimits only) is the strongest this
machine allows, is never a silent fallback, and the kernel's own uid can be ended whole."""

from __future__ import annotations

import os
import subprocess
import time

import pytest

from grader.errors import EnvironmentProblem
from grader.execute import sandbox
from grader.execute.kernel_user import KernelUser, close_to_others, processes_of
from grader.options import SandboxPolicy
from grader.results import Isolation


@pytest.fixture
def no_bubblewrap(monkeypatch):
    """A machine where bwrap is not installed (the probe is made again, and again after)."""
    sandbox.probe_bubblewrap.cache_clear()
    monkeypatch.setattr(sandbox.shutil, "which", lambda name, **kw: None)
    yield
    sandbox.probe_bubblewrap.cache_clear()


def test_without_bubblewrap_root_gets_an_unprivileged_user_and_says_so(no_bubblewrap, monkeypatch):
    monkeypatch.setattr(sandbox.os, "getuid", lambda: 0)
    monkeypatch.setattr(sandbox, "can_run_python_as_others", lambda *a, **k: True)
    isolation = sandbox.isolation_for(SandboxPolicy())
    assert isolation is Isolation.UNPRIVILEGED_USER
    note = sandbox.isolation_note(isolation, SandboxPolicy())
    assert "not installed" in note and "unprivileged user" in note


def test_without_bubblewrap_or_root_the_kernel_is_plainly_not_isolated(no_bubblewrap, monkeypatch):
    monkeypatch.setattr(sandbox.os, "getuid", lambda: 1000)
    isolation = sandbox.isolation_for(SandboxPolicy(allow_unisolated=True))  # a kit: no secrets
    assert isolation is Isolation.RLIMITS
    assert sandbox.isolation_note(isolation, SandboxPolicy()).startswith("NOT ISOLATED")


@pytest.mark.notebook
def test_no_sandbox_as_root_still_drops_to_a_user_of_its_own(monkeypatch):
    monkeypatch.setattr(sandbox.os, "getuid", lambda: 0)
    monkeypatch.setattr(sandbox, "can_run_python_as_others", lambda *a, **k: True)
    policy = SandboxPolicy(use_bubblewrap=False)
    assert sandbox.isolation_for(policy) is Isolation.UNPRIVILEGED_USER
    assert "turned off" in sandbox.isolation_note(Isolation.UNPRIVILEGED_USER, policy)


def test_bubblewrap_demanded_but_failing_is_one_environment_problem(no_bubblewrap):
    with pytest.raises(EnvironmentProblem, match="not installed"):
        sandbox.isolation_for(SandboxPolicy(use_bubblewrap=True))


def test_bubblewrap_isolation_has_no_note():
    assert sandbox.isolation_note(Isolation.BUBBLEWRAP, SandboxPolicy()) == ""


@pytest.mark.notebook
def test_python_is_bound_after_the_temporary_folders():
    mounts = sandbox.sandbox_mounts(SandboxPolicy())
    tmp = max(i for i, arg in enumerate(mounts) if arg == "/tmp")
    for path in sandbox.python_paths():
        assert mounts.index(str(path)) > tmp, path


def test_closing_to_others_removes_only_the_other_bits(tmp_path):
    folder = tmp_path / "checks"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    assert close_to_others([folder, tmp_path / "missing"]) == [folder]
    assert folder.stat().st_mode & 0o777 == 0o750
    assert close_to_others([folder]) == []


@pytest.mark.skipif(os.getuid() != 0, reason="starting processes as another uid needs root")
def test_every_process_of_the_kernel_user_ends_daemons_included():
    user = KernelUser.pick()
    started = [subprocess.Popen(["sleep", "600"], user=user.uid, group=user.gid, extra_groups=[],
                                start_new_session=True, stdout=subprocess.DEVNULL)
               for _ in range(3)]
    deadline = time.monotonic() + 5
    while len(processes_of(user.uid)) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(processes_of(user.uid)) == 3
    assert user.end_processes()
    assert processes_of(user.uid) == []
    assert [process.wait(timeout=5) for process in started] == [-9] * 3
