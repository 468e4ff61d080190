"""Making, starting and stopping one sandboxed kernel for one submission.

`make_kernel` is the one factory for both ways a kernel starts: it makes the kernel's working
folder and IPC folder under a root, its process cap, its limits and environment, and a
jupyter_client manager whose sockets live in the IPC folder. `start_kernel` (a cold start)
then launches `in_sandbox/boot.py` under the sandbox (`grader.execute.sandbox`);
`grader.warm.kernels` has the warm kernels' fork server fork one instead. Either way the
`Kernel` owns it all: `Kernel.close()` kills the kernel with everything it started (as root:
every process of the kernel's own uid, daemons included) and removes its folders.

Every way a kernel fails to start is one `EnvironmentProblem` (exit status 8, one line).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from queue import Empty
from typing import Callable

import zmq
import zmq.asyncio
from jupyter_client import KernelManager
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.kernelspec import KernelSpec
from traitlets import default

from grader.errors import EnvironmentProblem
from grader.execute.exposure import refuse_if_course_exposed
from grader.execute.kernel_paths import copy_for_kernel_user
from grader.execute.kernel_user import KernelUser, processes_of
from grader.execute.memory_watch import (MemoryWatch, descendants, kill, temporary_bytes,
                                         tree_memory)
from grader.execute.sandbox import (TMPFS_SIZE, WORKDIR_SIZE, ProcessCap, isolation_for, kernel_argv,
                                     kernel_env, kernel_user_for, keep_environment_from_same_user)
from grader.i18n import _
from grader.options import SandboxPolicy
from grader.results import Isolation


MAX_OUTPUT_FRAME = 16 * 1024**2  # bytes of one frame of a message while cells run
OUTPUT_QUEUE = 32  # frames zmq may hold for one socket before this process reads them


# bytes a kernel user outside bubblewrap may keep in the machine's /tmp, /var/tmp and /dev/shm
# together (each file stops at WORKDIR_SIZE: RLIMIT_FSIZE)
TEMPORARY_FILES = 3 * TMPFS_SIZE


class PromptKernelClient(AsyncKernelClient):
    """nbclient's client for our kernels: ready as soon as the kernel has answered kernel_info on
    the shell channel and published that request's status on IOPub (so IOPub is connected).

    jupyter_client's `wait_for_ready` then reads IOPub until it has been silent for 0.2 s: a
    pause in every submission. nbclient matches each IOPub message to its own request, so the
    kernel_info request's leftovers need no flushing."""

    @default("context")
    def _context_default(self) -> zmq.asyncio.Context:
        """Its own zmq context, whose sockets drop a frame over MAX_OUTPUT_FRAME (before this
        process reads a byte of it) and queue at most OUTPUT_QUEUE frames: a flood of output
        cannot pile up in the grading process faster than the capped client reads it."""
        self._created_context = True
        context = zmq.asyncio.Context()
        context.setsockopt(zmq.MAXMSGSIZE, MAX_OUTPUT_FRAME)
        context.setsockopt(zmq.RCVHWM, OUTPUT_QUEUE)
        return context

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (timeout if timeout is not None else float("inf"))
        while True:
            if await self._answered(self.kernel_info()):
                return
            if not await self.is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")

    async def _answered(self, request: str) -> bool:
        """Whether the reply to `request` came on the shell channel within 1 s, and a message
        of it on IOPub within 0.2 s more (a subscription still joining misses it: ask again)."""
        reply = await self._message_of(self.shell_channel, request, 1.0)
        if reply is None or await self._message_of(self.iopub_channel, request, 0.2) is None:
            return False
        self._handle_kernel_info_reply(reply)  # private, as jupyter_client's own wait calls it
        return True

    @staticmethod
    async def _message_of(channel, request: str, wait: float) -> dict | None:  # noqa: ANN001
        """The first message on `channel` answering `request` within `wait` seconds, or None."""
        end = time.monotonic() + wait
        while True:
            try:
                msg = await channel.get_msg(timeout=max(0.0, end - time.monotonic()))
            except Empty:
                return None
            if msg["parent_header"].get("msg_id") == request:
                return msg


class SandboxedKernelManager(KernelManager):
    """A KernelManager whose kernel spec is built here, not looked up on disk, and whose
    connection file belongs to the kernel's own user, if it has one."""

    kernel_user: KernelUser | None = None

    def write_connection_file(self, **kwargs: object) -> None:
        super().write_connection_file(**kwargs)
        if self.kernel_user is not None:  # jupyter_client writes it 0600, as the grader
            os.chown(self.connection_file, self.kernel_user.uid, self.kernel_user.gid)

    def set_spec(self, argv: list[str]) -> None:
        # Private: jupyter_client has no public way to give a manager a spec that is not on
        # disk; its `kernel_spec` property returns `_kernel_spec` once set (checked by
        # tests/execute/test_jupyter_client_api.py).
        self._kernel_spec = KernelSpec(
            argv=argv, display_name="Python 3 (grader sandbox)", language="python",
            interrupt_mode="message",  # signals would reach bubblewrap, not the kernel
        )

    async def _async_wait(self, pollinterval: float = 0.01) -> None:
        # Private override: after a kill, notice the kernel's end within 10 ms, not
        # jupyter_client's 100 (a restart after a runaway cell waits on it). Its signature is
        # checked by tests/execute/test_jupyter_client_api.py.
        await super()._async_wait(pollinterval=min(pollinterval, 0.01))


@dataclass
class Kernel:
    manager: SandboxedKernelManager
    isolation: Isolation
    workdir: Path  # the kernel's working folder (and HOME)
    root: Path  # holds workdir and the IPC folder; removed on close
    cap: ProcessCap | None  # its pids cgroup, where one could be made
    env: dict[str, str] = field(default_factory=dict)  # the kernel's whole environment
    limits: dict[str, int] = field(default_factory=dict)  # what in_sandbox/limits.py applies
    user: KernelUser | None = None  # the unprivileged uid it runs as (the grader being root)
    watch: MemoryWatch | None = None  # its tree's memory, where no cgroup bounds it

    def memory_note(self) -> str:
        """Why the kernel ended, when its processes together passed the memory limit."""
        if (self.watch is not None and self.watch.exceeded) or (
                self.cap is not None and self.cap.memory_ran_out()):
            temporary = self.user is not None and self.isolation is not Isolation.BUBBLEWRAP
            gib = f"{self.limits.get('memory', 0) / 1024**3:g}"
            if temporary:
                return _("the notebook's processes together used more than {gib} GiB of memory "
                         "and temporary files").format(gib=gib)
            return _("the notebook's processes together used more than {gib} GiB of memory").format(gib=gib)
        return ""

    def watch_memory(self) -> None:
        """Watch what no cgroup bounds: the memory of its process tree (where no memory cgroup
        could be made) and, for a kernel user outside bubblewrap, its files in the machine's
        temporary folders (at most TEMPORARY_FILES together)."""
        limit = self.limits.get("memory", 0) if not (self.cap and self.cap.bounds_memory) else 0
        if self.user is not None:
            uid, user = self.user.uid, self.user
            temporary = TEMPORARY_FILES if self.isolation is not Isolation.BUBBLEWRAP else 0
            if limit or temporary:
                self.watch = MemoryWatch(
                    limit + temporary, lambda: (tree_memory(processes_of(uid)) if limit else 0)
                    + (temporary_bytes(uid) if temporary else 0), user.end_processes).start()
            return
        root = getattr(self.manager.provisioner, "pid", None)
        if limit and root:
            self.watch = MemoryWatch(limit, lambda: tree_memory(descendants(root)),
                                     lambda: kill(descendants(root))).start()

    @property
    def ipc_dir(self) -> Path:
        return self.root / "ipc"

    def is_alive(self) -> bool:
        return self.manager.is_alive()

    def close(self) -> None:
        if self.watch is not None:
            self.watch.stop()
        try:
            if self.manager.has_kernel:
                self.manager.shutdown_kernel(now=True)
        except Exception:  # noqa: BLE001 - a kernel that is already gone is fine
            pass
        finally:
            if self.user is not None:  # before any result is written: nothing of it outlives this
                self.user.end_processes()
                self.user.remove_temporary_files()
            if self.cap is not None:
                self.cap.remove()
            self.manager.cleanup_resources()
            shutil.rmtree(self.root, ignore_errors=True)


def make_kernel(root: Path, policy: SandboxPolicy, isolation: Isolation,
                kernel_id: str | None = None, user: KernelUser | None = None) -> Kernel:
    """A kernel not started yet, cold or forked: `root/work` (empty) and `root/ipc` (private)
    made (both the kernel user's own, if it has one), its process cap (a pids cgroup, else a
    process limit where one binds), its limits and environment, and a manager that talks to it
    over IPC sockets in `root/ipc`."""
    workdir = root / "work"
    workdir.mkdir(parents=True)
    (root / "ipc").mkdir(mode=0o700)
    if user is not None:
        root.chmod(0o711)  # enterable, not listable: the kernel reaches its own two folders
        user.give(workdir, root / "ipc")
    cap = ProcessCap.create(policy.max_processes, policy.memory_limit)
    processes = 0  # with a cgroup (or for root, whom RLIMIT_NPROC does not bind): no rlimit
    if cap is None and user is not None:
        processes = policy.max_processes  # a uid of its own: the limit counts its processes only
    elif cap is None and os.getuid() != 0:
        processes = own_process_count() + policy.max_processes  # the limit counts all of ours
    manager = SandboxedKernelManager(
        client_class="grader.execute.kernel.PromptKernelClient",  # async, as nbclient needs
        transport="ipc", ip=str(root / "ipc" / "kernel"),
        connection_file=str(root / "ipc" / "connection.json"),
    )
    if kernel_id is not None:
        manager.kernel_id = kernel_id
    manager.kernel_user = user
    limits = {"memory": policy.memory_limit, "processes": processes, "file_size": WORKDIR_SIZE}
    if user is not None:
        limits.update(uid=user.uid, gid=user.gid)
    env = kernel_env(workdir, policy, isolation)
    if user is not None and isolation is not Isolation.BUBBLEWRAP and env.get("PYTHONPATH"):
        env["PYTHONPATH"] = copy_for_kernel_user(policy, root)  # whatever the checkout's permissions
    return Kernel(manager, isolation, workdir, root, cap, env=env, limits=limits, user=user)


def launch(kernel: Kernel, start: Callable[[], object]) -> Kernel:
    """Run `start` (which starts the kernel's process); if it fails, clean up and say why."""
    try:
        start()
    except Exception as error:
        kernel.close()
        raise EnvironmentProblem(f"the kernel could not start: {error}") from error
    kernel.watch_memory()
    return kernel


def start_kernel(policy: SandboxPolicy, startup_timeout: float = 60) -> Kernel:
    """A fresh kernel in a sandbox of its own (a cold start)."""
    isolation = isolation_for(policy)
    if isolation is Isolation.UNPRIVILEGED_USER:  # the course closed, and tried as another user
        refuse_if_course_exposed(tuple(policy.hidden))
    elif isolation is Isolation.RLIMITS:  # the kernel is this user: keep our environment from it
        keep_environment_from_same_user()
    try:
        kernel = make_kernel(Path(tempfile.mkdtemp(prefix="grader-")), policy, isolation,
                             user=kernel_user_for(isolation))
    except OSError as error:
        raise EnvironmentProblem(f"the kernel's folders could not be made: {error}") from error
    argv = kernel_argv(isolation, kernel.workdir, kernel.ipc_dir, policy, kernel.limits)
    kernel.manager.set_spec(kernel.cap.wrap(argv) if kernel.cap is not None else argv)
    return launch(kernel, lambda: kernel.manager.start_kernel(
        env=kernel.env, cwd=str(kernel.workdir), stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL))


def own_process_count() -> int:
    uid = os.getuid()
    count = 0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                count += entry.stat().st_uid == uid
            except OSError:
                pass
    return count
