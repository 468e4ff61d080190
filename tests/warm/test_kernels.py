"""Warm kernels (grader.warm.kernels): forked from a zygote, yet as isolated as a cold sandboxed kernel.

Each test runs code in real forked kernels and looks from inside them and from the grader's
side: no variables, files or processes cross from one submission to the next or to a
concurrent one, and the sandbox's own guarantees (no network, hidden course and grader
sources, memory and process caps) hold as they do for `grader.execute.kernel.start_kernel`.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
import uuid
from dataclasses import replace
from pathlib import Path

import pytest

from grader.options import sandbox_policy
from grader.submission.course import PACKAGE_DIR
from grader.execute.kernel import Kernel, PromptKernelClient
from grader.pipeline import grade
from grader.results import CheckStatus, GradeStatus, Isolation
from grader.execute.sandbox import ProcessCap, bubblewrap_available
from grader.warm.kernels import WarmKernels
from grader.options import SandboxPolicy

from conftest import COURSE
from kernel_session import Session

pytestmark = [pytest.mark.hostile, pytest.mark.notebook,
              pytest.mark.skipif(not bubblewrap_available(), reason="needs bubblewrap")]

POLICY = SandboxPolicy(memory_limit=2 * 1024**3, max_processes=64,
                       hidden=(COURSE / "solutions", COURSE / "checks", PACKAGE_DIR))

PROBE_DIRS = ("/", "/tmp", "/var/tmp", "/dev", "/dev/shm", "~", ".")


@pytest.fixture(scope="module")
def pool():
    with WarmKernels(POLICY, ahead=2) as warm:
        yield warm


def session(pool: WarmKernels, policy: SandboxPolicy = POLICY) -> Session:
    return Session(pool.start(policy))


def host_processes_with(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


LEAVE_MARKS = """
import os
for folder in {dirs!r}:
    try:
        with open(os.path.join(os.path.expanduser(folder), {name!r}), "w") as f:
            f.write("x")
    except OSError:
        pass
"""

FIND_MARKS = """
import os
print(sorted(folder for folder in {dirs!r}
             if os.path.exists(os.path.join(os.path.expanduser(folder), {name!r}))))
"""


def test_a_client_is_ready_without_waiting_for_iopub_to_fall_silent(pool):
    """jupyter_client's wait_for_ready reads IOPub until 0.2 s pass without a message; ours
    returns once the kernel_info request's status came, leaving the rest of it queued."""
    kernel = pool.start(POLICY)
    client = kernel.manager.client()
    assert isinstance(client, PromptKernelClient)

    async def ready_then_leftover() -> dict:
        await client.wait_for_ready(timeout=60)
        return await client.iopub_channel.get_msg(timeout=5)

    client.start_channels()
    try:
        leftover = asyncio.run(ready_then_leftover())
        assert leftover["parent_header"]["msg_type"] == "kernel_info_request"
    finally:
        client.stop_channels()
        kernel.close()


def test_a_kernel_is_forked_ready_with_torch_imported(pool):
    began = time.monotonic()
    s = session(pool)
    try:
        assert s.kernel.isolation is Isolation.BUBBLEWRAP
        assert s.run("import sys; print('torch' in sys.modules)") == "True"
        assert s.run("import torch; print(float(torch.ones(3).sum()))") == "3.0"
    finally:
        s.close()
    assert time.monotonic() - began < 20


def test_nothing_of_a_previous_submission_is_left(pool):
    name = f"mark-{uuid.uuid4().hex}"
    first = session(pool)
    try:
        first.run("secret = 42\nimport builtins; builtins.leaked = 1\n"
                  + LEAVE_MARKS.format(dirs=PROBE_DIRS, name=name))
        # where it could write: its working folder, /tmp, /var/tmp, /dev/shm (the rest is read-only)
        assert first.run(FIND_MARKS.format(dirs=PROBE_DIRS, name=name)) == \
            "['.', '/dev/shm', '/tmp', '/var/tmp', '~']"
        first_workdir = first.kernel.workdir
    finally:
        first.close()
    assert not first_workdir.exists()
    second = session(pool)
    try:
        assert second.run("print(secret)") == "NameError: name 'secret' is not defined"
        assert second.run("import builtins; print(hasattr(builtins, 'leaked'))") == "False"
        assert second.run(FIND_MARKS.format(dirs=PROBE_DIRS, name=name)) == "[]"
        assert second.run(f"import os; print(os.path.exists({str(first_workdir)!r}))") == "False"
    finally:
        second.close()


def test_concurrent_submissions_cannot_see_each_other(pool):
    name = f"mark-{uuid.uuid4().hex}"
    a, b = session(pool), session(pool)
    try:
        a.run("secret = 42\n" + LEAVE_MARKS.format(dirs=PROBE_DIRS, name=name))
        a.run("import socket; server = socket.socket(); "
              "server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); "
              "server.bind(('127.0.0.1', 47011)); server.listen()\n"
              "abstract = socket.socket(socket.AF_UNIX); abstract.bind('\\0grader-warm-test')")
        assert b.run(FIND_MARKS.format(dirs=PROBE_DIRS, name=name)) == "[]"
        for path in (a.kernel.workdir, a.kernel.root, a.kernel.root / "ipc" / "connection.json"):
            assert b.run(f"import os; print(os.path.exists({str(path)!r}))") == "False"
        # its own pid namespace: only itself (and its init) in /proc, nothing of the other
        assert b.run("import os; print(sorted(int(p) for p in os.listdir('/proc') if p.isdigit()))") \
            == "[1, 2]"
        assert b.run("import socket; s = socket.socket(); s.settimeout(2)\n"
                     "try:\n    s.connect(('127.0.0.1', 47011)); print('connected')\n"
                     "except OSError as e: print('refused')") == "refused"
        assert b.run("import socket; s = socket.socket(socket.AF_UNIX)\n"
                     "try:\n    s.connect('\\0grader-warm-test'); print('connected')\n"
                     "except OSError as e: print('refused')") == "refused"
        assert a.run("print(secret)") == "42"
    finally:
        a.close()
        b.close()


def test_a_process_left_running_is_gone_afterwards(pool):
    marker = f"left-{uuid.uuid4().hex}"
    s = session(pool)
    try:
        sleeper = f"[sys.executable, '-c', 'import time; time.sleep(600)', {marker!r}]"
        s.run("import subprocess, sys, os, shlex\n"
              f"subprocess.Popen({sleeper}, start_new_session=True)\n"  # its own session
              f"subprocess.Popen(['sh', '-c', shlex.join({sleeper}) + ' &'])\n"  # an orphan
              "if os.fork() == 0:\n"  # a daemon
              "    os.setsid()\n"
              f"    os.execv(sys.executable, {sleeper})\n")
        deadline = time.monotonic() + 10
        while len(host_processes_with(marker)) < 3 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(host_processes_with(marker)) == 3
    finally:
        s.close()
    assert host_processes_with(marker) == []


def test_the_sandbox_still_holds(pool):
    s = session(pool)
    try:
        # no network: only an unconfigured loopback of its own
        assert s.run("import socket\ntry:\n    socket.create_connection(('1.1.1.1', 53), timeout=2)"
                     "; print('reached')\nexcept OSError: print('no network')") == "no network"
        # course and grader sources are empty folders
        for hidden in POLICY.hidden:
            assert s.run(f"import os; p = {str(hidden)!r}\n"
                         "print(not os.path.exists(p) or os.listdir(p) == [])") == "True"
        # no capabilities, and a memory cap
        assert s.run("print(open('/proc/self/status').read().split('CapEff:')[1].split()[0])") \
            == "0000000000000000"
        assert s.run("try:\n    x = bytearray(3 * 1024**3); print('allocated')\n"
                     "except MemoryError: print('MemoryError')") == "MemoryError"
        assert "Read-only" in s.run("open('/proc/sys/kernel/hostname', 'w').write('x')")
        assert s.run("import ctypes, os; libc = ctypes.CDLL(None, use_errno=True)\n"
                     "print(libc.mount(b'none', b'/tmp', b'tmpfs', 0, None), "
                     "os.strerror(ctypes.get_errno()))") == "-1 Operation not permitted"
    finally:
        s.close()


def pids_cgroup_available() -> bool:
    cap = ProcessCap.create(1)
    if cap is not None:
        cap.remove()
    return cap is not None


@pytest.mark.skipif(not pids_cgroup_available() and os.getuid() == 0,
                    reason="no pids cgroup here, and RLIMIT_NPROC does not bind root")
def test_the_process_cap_holds(pool):
    s = session(pool, replace(POLICY, max_processes=24))
    try:
        started = s.run("import subprocess\nprocs = []\ntry:\n    for _ in range(60):\n"
                        "        procs.append(subprocess.Popen(['sleep', '30']))\n"
                        "except OSError:\n    pass\nprint(len(procs))")
        assert int(started) < 24
    finally:
        s.close()


def test_several_threads_get_distinct_kernels(pool):
    kernels: list[Kernel] = []
    lock = threading.Lock()

    def take() -> None:
        kernel = pool.start(POLICY)
        with lock:
            kernels.append(kernel)

    threads = [threading.Thread(target=take) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert len({k.root for k in kernels}) == 4
        assert pool.cold == 0
        assert all(k.is_alive() for k in kernels)
    finally:
        for kernel in kernels:
            kernel.close()
    assert not any(k.is_alive() for k in kernels)


def test_a_policy_the_zygote_cannot_serve_gets_a_cold_kernel(pool):
    kernel = pool.start(replace(POLICY, use_bubblewrap=False))
    try:
        # as root, a user of its own where this Python is open to others; else limits only
        assert kernel.isolation in (Isolation.UNPRIVILEGED_USER, Isolation.RLIMITS)
        assert kernel.is_alive()
    finally:
        kernel.close()


@pytest.mark.notebook
def test_a_solved_notebook_gets_full_marks_on_a_warm_kernel(options):
    warm = WarmKernels(sandbox_policy(options), ahead=1)
    with warm:
        report = grade(COURSE / "solutions" / "04_softmax_regression.ipynb", options,
                       kernels=warm.start)
        assert (warm.forked, warm.cold) == (1, 0)
    assert report.status is GradeStatus.GRADED
    assert report.isolation is Isolation.BUBBLEWRAP
    failed = [(c.name, c.detail) for c in report.checks if c.status is not CheckStatus.PASSED]
    assert failed == []
    assert report.score == report.max_score


def test_when_the_zygote_is_gone_kernels_start_cold():
    with WarmKernels(POLICY, ahead=0) as warm:
        assert warm.own is not None
        os.kill(warm.own.address.pid, 9)
        warm.own.process.wait(timeout=10)
        deadline = time.monotonic() + 10
        while warm.zygote.alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        kernel = warm.start(POLICY)
        try:
            assert kernel.is_alive()
            assert (warm.forked, warm.cold) == (0, 1)
        finally:
            kernel.close()


def _in_another_process(address, marker: str, leave: bool) -> str:
    pool = WarmKernels(address.policy, ahead=0, zygote=address)
    s = session(pool, address.policy)
    out = s.run("import os, sys; print(os.getpid(), 'torch' in sys.modules)")
    if leave:  # a worker that dies with a kernel and a process of its own still running
        s.run(f"import subprocess, sys\nsubprocess.Popen([sys.executable, '-c', "
              f"'import time; time.sleep(600)', {marker!r}], start_new_session=True)")
        os._exit(0)
    s.close()
    pool.close()
    return f"{out} {pool.forked}"


def test_worker_processes_share_one_zygote(pool):
    import concurrent.futures
    import multiprocessing

    marker = f"orphan-{uuid.uuid4().hex}"
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(2, mp_context=context) as workers:
        shared = [workers.submit(_in_another_process, pool.address, marker, False)
                  for _ in range(2)]
        assert [f.result(timeout=120) for f in shared] == ["2 True 1", "2 True 1"]
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=context) as workers:
        died = workers.submit(_in_another_process, pool.address, marker, True)
        with pytest.raises(concurrent.futures.process.BrokenProcessPool):
            died.result(timeout=120)
    deadline = time.monotonic() + 10
    while host_processes_with(marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert host_processes_with(marker) == []
