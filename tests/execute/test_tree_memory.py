"""The memory limit is the kernel's whole process tree (issue 21, section 4): three children
that each stay under a per-process limit must not hold three times it together. A memory
cgroup where one can be made; elsewhere a watchdog that sums the tree's memory. Measured with
small numbers (three children of 150 MiB under 300 MiB); the control is the same tree under a
limit it fits."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from grader.execute.kernel_cgroup import ProcessCap
from grader.execute.memory_watch import MemoryWatch, descendants, kill, tree_memory

MiB = 1024**2
CHILD = 150 * MiB
THREE_CHILDREN = f"""
import os, sys, time
for _ in range(3):
    if os.fork() == 0:
        block = b"x" * {CHILD}  # written: resident
        print("held", flush=True)
        time.sleep(60)
        os._exit(0)
time.sleep(60)
"""


def start_tree() -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", THREE_CHILDREN], stdout=subprocess.PIPE, text=True)


def settle(tree: subprocess.Popen, seconds: float = 4.0) -> list[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and tree.poll() is None:
        time.sleep(0.1)
    return descendants(tree.pid) if tree.poll() is None else []


def stop(tree: subprocess.Popen) -> None:
    kill(descendants(tree.pid))
    tree.wait(timeout=10)
    tree.stdout.close()


@pytest.mark.parametrize("limit, ends", [(300 * MiB, True), (2048 * MiB, False)])
def test_the_watchdog_ends_a_tree_that_passes_the_limit_together(limit, ends):
    tree = start_tree()
    watch = MemoryWatch(limit, lambda: tree_memory(descendants(tree.pid)),
                        lambda: kill(descendants(tree.pid)), period=0.1).start()
    try:
        alive = settle(tree)
        assert watch.exceeded is ends
        if ends:
            assert tree.poll() is not None  # the whole tree, the parent included
        else:  # the control: all three hold their memory
            assert tree_memory(alive) >= 3 * CHILD
    finally:
        watch.stop()
        stop(tree)


cgroups = ProcessCap.create(8, 300 * MiB)
can_bound = cgroups is not None and cgroups.bounds_memory
if cgroups is not None:
    cgroups.remove()


@pytest.mark.skipif(not can_bound, reason="no memory cgroup can be made here (not root, or none delegated)")
@pytest.mark.parametrize("limit, bounded", [(300 * MiB, True), (2048 * MiB, False)])
def test_a_memory_cgroup_holds_the_tree_together(limit, bounded):
    cap = ProcessCap.create(8, limit)
    assert cap is not None and cap.bounds_memory
    tree = subprocess.Popen(cap.wrap([sys.executable, "-c", THREE_CHILDREN]), stdout=subprocess.PIPE,
                            text=True)
    try:
        settle(tree)
        held = tree_memory(list(cap.pids()))
        if bounded:
            assert held <= limit and cap.memory_ran_out()
        else:  # the control
            assert held >= 3 * CHILD and not cap.memory_ran_out()
    finally:
        cap.remove()
        tree.wait(timeout=10)
        tree.stdout.close()


CELL = f"""
import os, time
children = []
for _ in range(3):
    pid = os.fork()
    if pid == 0:
        try:
            block = b"x" * {700 * MiB}
            time.sleep(6)
        finally:
            os._exit(0 if "block" in dir() else 1)
    children.append(pid)
held = sum(os.waitpid(pid, 0)[1] == 0 for pid in children)
print("held", held)
"""


@pytest.mark.notebook
@pytest.mark.hostile
@pytest.mark.parametrize("bound", ["cgroup", "watchdog"])
def test_a_kernels_children_cannot_hold_more_than_its_limit_together(bound, monkeypatch):
    """Three children at 700 MiB under a 2 GiB limit (each fits it alone: the limit of each
    process's address space lets them); the control is the same cell under 3 GiB."""
    from jupyter_client import BlockingKernelClient

    from grader.execute import kernel as kernel_module
    from grader.options import SandboxPolicy

    if bound == "cgroup" and not can_bound:
        pytest.skip("no memory cgroup can be made here")
    if bound == "watchdog":  # as where no memory cgroup can be made
        monkeypatch.setattr(kernel_module.ProcessCap, "create",
                            classmethod(lambda cls, processes, memory=0: None))
    seen = {}
    for limit in (2048 * MiB, 3072 * MiB):
        kernel = kernel_module.start_kernel(SandboxPolicy(memory_limit=limit))
        try:
            assert (kernel.watch is not None) == (bound == "watchdog")
            client = BlockingKernelClient()
            client.load_connection_info(kernel.manager.get_connection_info())
            client.start_channels()
            client.wait_for_ready(timeout=60)
            out: list[str] = []
            try:
                client.execute_interactive(CELL, timeout=12, output_hook=lambda msg, out=out: out.append(
                    msg["content"].get("text", "")) if msg["msg_type"] == "stream" else None)
            except TimeoutError:  # the kernel itself was ended
                pass
            client.stop_channels()
            seen[limit] = "".join(out).split()[-1:] or ["ended"]
            seen[limit] += [kernel.memory_note()]
        finally:
            kernel.close()
    assert seen[3072 * MiB] == ["3", ""]  # the control
    assert seen[2048 * MiB][0] != "3" and "together used more than 2 GiB" in seen[2048 * MiB][1]


@pytest.mark.skipif(os.getuid() != 0, reason="runs a process as a kernel user: needs root")
@pytest.mark.parametrize("limit, ends", [(200 * MiB, True), (1024 * MiB, False)])
def test_a_kernel_users_temporary_files_are_bounded_together(limit, ends):
    """Without namespaces /tmp, /var/tmp and /dev/shm are the machine's: each file stops at
    the file-size limit, so three files must not outgrow the total (the control: they fit)."""
    from grader.execute.kernel_user import KernelUser, processes_of
    from grader.execute.memory_watch import temporary_bytes

    user = KernelUser.pick()
    writer = subprocess.Popen(
        ["/bin/sh", "-c", "for i in 1 2 3; do head -c 104857600 /dev/zero > /var/tmp/grader-test-$$.$i;"
         " done; sleep 60"], user=user.uid, group=user.gid, extra_groups=[], cwd="/")
    watch = MemoryWatch(limit, lambda: temporary_bytes(user.uid), user.end_processes, period=0.1).start()
    try:
        deadline = time.monotonic() + 10
        while writer.poll() is None and temporary_bytes(user.uid) < 3 * 100 * MiB \
                and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.5)
        assert watch.exceeded is ends
        assert (processes_of(user.uid) == []) is ends
    finally:
        watch.stop()
        user.end_processes()
        user.remove_temporary_files()
        writer.wait(timeout=10)
    assert temporary_bytes(user.uid) == 0
