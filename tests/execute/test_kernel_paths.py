"""The course's kernel folders (`[kernel] path`: the course's own `d2l`) in the student's kernel:
read-only, on its sys.path, in every isolation; the rest of the course stays out of sight."""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from grader.errors import AuthoringError
from grader.execute.kernel import start_kernel
from grader.execute.kernel_paths import KERNEL_PATHS_MOUNT, copy_for_kernel_user
from grader.execute.sandbox import bubblewrap_available, isolation_for, kernel_env, sandbox_mounts
from grader.warm.kernels import WarmKernels, ZygoteFit
from grader.options import GradeOptions, SandboxPolicy, sandbox_policy
from grader.results import Isolation
from grader.submission.course import Course

from conftest import COURSE

sys.path.insert(0, str(Path(__file__).parent))
from kernel_session import Session

KERNEL = (COURSE / "kernel").resolve()
PROBE = ("import os; from d2l import torch as d2l; print(os.path.dirname(os.path.dirname(d2l.__file__)), "
         "os.access(d2l.__file__, os.W_OK), os.path.exists({solutions!r}) and len(os.listdir({solutions!r})))")


def test_the_builtin_course_provides_its_d2l():
    assert Course(COURSE).kernel_paths == (KERNEL,)
    policy = sandbox_policy(GradeOptions(course=Course(COURSE)))
    assert policy.kernel_paths == (KERNEL,)
    env = kernel_env(Path("/work"), policy, Isolation.BUBBLEWRAP)
    assert env["PYTHONPATH"] == str(KERNEL_PATHS_MOUNT / "0")
    assert kernel_env(Path("/work"), policy, Isolation.UNPRIVILEGED_USER)["PYTHONPATH"] == str(KERNEL)
    assert "PYTHONPATH" not in kernel_env(Path("/work"), replace(policy, kernel_paths=()))


def test_a_kernel_path_that_holds_the_solutions_is_refused(tmp_path):
    for part in ("solutions", "checks"):
        (tmp_path / part).mkdir()
    (tmp_path / "course.toml").write_text('[kernel]\npath = "."\n')
    with pytest.raises(AuthoringError, match="never see"):
        Course(tmp_path).kernel_paths  # noqa: B018 - the property reads course.toml
    (tmp_path / "course.toml").write_text("[kernel]\npath = 3\n")
    with pytest.raises(AuthoringError, match="list"):
        Course(tmp_path).kernel_paths  # noqa: B018


def test_a_folder_hidden_inside_a_kernel_path_stays_hidden(tmp_path):
    (tmp_path / "lib" / "secret").mkdir(parents=True)
    policy = SandboxPolicy(hidden=(tmp_path / "lib" / "secret",), kernel_paths=(tmp_path / "lib",))
    argv = sandbox_mounts(policy)
    bind = argv.index(str(tmp_path / "lib"))
    assert argv[bind - 1:bind + 2] == ["--ro-bind", str(tmp_path / "lib"), "/course-kernel/0"]
    assert argv[argv.index("/course-kernel/0/secret") - 1] == "--tmpfs"


def test_a_kernel_of_its_own_uid_gets_readable_copies(tmp_path):
    (tmp_path / "closed" / "d2l").mkdir(parents=True)
    (tmp_path / "closed" / "d2l" / "torch.py").write_text("X = 1\n")
    (tmp_path / "closed").chmod(0o700)  # a checkout other users cannot enter
    root = tmp_path / "kernel-root"
    root.mkdir()
    path = copy_for_kernel_user(SandboxPolicy(kernel_paths=(tmp_path / "closed",)), root)
    copy = root / "course-kernel" / "0"
    assert path == str(copy) and (copy / "d2l" / "torch.py").read_text() == "X = 1\n"
    assert [oct(p.stat().st_mode & 0o777) for p in (copy, copy / "d2l", copy / "d2l" / "torch.py")] == \
        ["0o755", "0o755", "0o644"]
    assert copy_for_kernel_user(SandboxPolicy(), root) == ""


def test_a_zygote_serves_only_its_own_kernel_paths():
    policy = sandbox_policy(GradeOptions(course=Course(COURSE)))
    assert not ZygoteFit(replace(policy, kernel_paths=())).can_fork(policy) or not bubblewrap_available()


def run_probe(policy: SandboxPolicy) -> str:
    session = Session(start_kernel(policy))
    try:
        return session.run(PROBE.format(solutions=str(COURSE / "solutions")))
    finally:
        session.close()


@pytest.mark.notebook
@pytest.mark.skipif(not bubblewrap_available(), reason="needs bubblewrap")
def test_a_sandboxed_kernel_imports_the_courses_d2l_read_only():
    policy = sandbox_policy(GradeOptions(course=Course(COURSE)))
    assert run_probe(policy) == f"{KERNEL_PATHS_MOUNT / '0'} False False"


@pytest.mark.notebook
def test_an_unprivileged_kernel_imports_the_courses_d2l():
    policy = replace(sandbox_policy(GradeOptions(course=Course(COURSE))), use_bubblewrap=False)
    if os.getuid() != 0 or isolation_for(policy) is not Isolation.UNPRIVILEGED_USER:
        pytest.skip("the unprivileged-user mode needs root and a Python other users can run")
    said = run_probe(policy)
    if said.startswith("ModuleNotFoundError"):
        pytest.skip("this checkout is not readable by other users")
    assert said.split()[:2] == [str(KERNEL), "False"]


@pytest.mark.notebook
@pytest.mark.skipif(not bubblewrap_available(), reason="needs bubblewrap")
def test_a_forked_kernel_imports_the_courses_d2l_read_only():
    policy = sandbox_policy(GradeOptions(course=Course(COURSE)))
    with WarmKernels(policy, ahead=0) as warm:
        session = Session(warm.start(policy))
        try:
            said = session.run(PROBE.format(solutions=str(COURSE / "solutions")))
        finally:
            session.close()
        assert warm.cold == 0  # it was forked
    assert said == f"{KERNEL_PATHS_MOUNT / '0'} False False"
