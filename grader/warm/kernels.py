"""Kernels that are ready before a submission asks, forked by the zygote (`grader.warm.zygote`).

`WarmKernels(policy, ahead=1)` keeps `ahead` kernels forked and starting; `start(policy)` hands
one over: `pipeline.grade(path, options, kernels=pool.start)`. Thread-safe. Across processes:
each process makes its own `WarmKernels`, sharing one zygote by passing `zygote=address` (a
`ZygoteAddress`, picklable); a process that exits takes its kernels along. Where the policy's
isolation is not bubblewrap (`zygote_can_serve`), where a policy asks for what the zygote cannot
give (other hidden folders, another thread count), or once the zygote is gone, `start` falls back to
`grader.execute.kernel.start_kernel` (counted in `cold`).

One kernel for one submission, then destroyed: `Kernel.close()` has the zygote stop the
kernel's pid namespace, so every process the submission left is gone; its cgroup (where one
can be made) is killed and removed as for a cold kernel. Kernels do not see each other's
variables, files, processes, sockets or network (see `in_sandbox/fork_server.py`).

Known difference from a cold kernel: the modules the zygote imported (`zygote.preload_for`: the
course's `[kernel] preload` and ipykernel's) count in the kernel's address space against the
policy's memory limit.
"""

from __future__ import annotations

import asyncio
import queue
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from jupyter_client.provisioning import LocalProvisioner

from grader.errors import EnvironmentProblem
from grader.execute.kernel import Kernel, SandboxedKernelManager, launch, make_kernel, start_kernel
from grader.execute.sandbox import KERNEL_OPTIONS, ProcessCap, isolation_for, kernel_user_for
from grader.warm.zygote import Zygote, ZygoteAddress, ZygoteClient
from grader.options import SandboxPolicy
from grader.results import Isolation


class ForkedKernel:
    """What jupyter_client's provisioner takes for a `Popen`: one kernel of the zygote."""

    pid = None  # not in this process's pid namespace
    stdin = stdout = stderr = None

    def __init__(self, zygote: ZygoteClient, name: str) -> None:
        self.zygote = zygote
        self.name = name
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            self.returncode = self.zygote.exit_status(self.name)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int | None:
        if self.returncode is None:
            self.returncode = self.zygote.wait(self.name, timeout)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        self.kill()  # interrupts go as messages; any signal here means "stop"

    def kill(self) -> None:
        if self.poll() is None:
            self.zygote.kill(self.name)

    terminate = kill


class ForkedProvisioner(LocalProvisioner):
    """LocalProvisioner, but the kernel is forked by the zygote instead of started by Popen.
    LocalProvisioner's poll, wait, signals, kill and cleanup act on `self.process`, which is a
    `ForkedKernel` here (checked by tests/execute/test_jupyter_client_api.py)."""

    request: dict = {}
    zygote: ZygoteClient | None = None
    cap: ProcessCap | None = None

    async def launch_kernel(self, cmd: list[str], **kwargs: object):  # noqa: ANN201
        assert self.zygote is not None
        request = dict(self.request, connection_file=self.parent.connection_file)
        self.zygote.spawn(request, self.cap)
        self.process = ForkedKernel(self.zygote, request["id"])
        self.pid = self.pgid = None
        self.cwd = request["workdir"]
        return self.connection_info


def zygote_can_serve(policy: SandboxPolicy) -> bool:
    """Whether kernels for `policy` may come from a zygote: only in bubblewrap."""
    return isolation_for(policy) is Isolation.BUBBLEWRAP


@dataclass(frozen=True)
class ZygoteFit:
    """Which policies a zygote made for the policy `zygote` can serve."""

    zygote: SandboxPolicy

    def can_fork(self, policy: SandboxPolicy) -> bool:
        """Its sandbox is as tight as `policy` asks: bubblewrap, same threads, hides as much."""
        return (zygote_can_serve(policy) and zygote_can_serve(self.zygote)
                and policy.threads == self.zygote.threads
                and policy.kernel_paths == self.zygote.kernel_paths
                and set(policy.hidden) <= set(self.zygote.hidden))

    def can_fork_ahead(self, policy: SandboxPolicy) -> bool:
        """Kernels forked ahead (with the zygote's own limits) fit `policy` too."""
        return self.can_fork(policy) and (policy.memory_limit, policy.max_processes) == (
            self.zygote.memory_limit, self.zygote.max_processes)


def start_forked(zygote: ZygoteClient, policy: SandboxPolicy) -> Kernel:
    """A kernel forked by `zygote`, in its own folder of the zygote's shared folder."""
    name = uuid.uuid4().hex[:12]
    kernel = make_kernel(zygote.base / name, policy, Isolation.BUBBLEWRAP, kernel_id=name,
                         user=kernel_user_for(Isolation.BUBBLEWRAP))
    manager = kernel.manager
    manager.set_spec(["(forked by the warm kernels' zygote)"])
    provisioner = ForkedProvisioner(kernel_id=name, kernel_spec=manager.kernel_spec,
                                    parent=manager)
    provisioner.zygote, provisioner.cap = zygote, kernel.cap
    user = [kernel.user.uid, kernel.user.gid] if kernel.user is not None else None
    limits = {key: value for key, value in kernel.limits.items() if key not in ("uid", "gid")}
    provisioner.request = {"id": name, "root": str(kernel.root), "workdir": str(kernel.workdir),
                           "env": kernel.env, "limits": limits, "user": user,
                           "options": list(KERNEL_OPTIONS)}
    manager.provisioner = provisioner
    return launch(kernel, lambda: _start_in_any_thread(manager))


def _start_in_any_thread(manager: SandboxedKernelManager) -> None:
    if threading.current_thread() is threading.main_thread():
        manager.start_kernel()
        return
    # Private: outside the main thread, `start_kernel` (jupyter_core's run_sync) makes an event
    # loop for this thread and never closes it; the pool's filler thread would keep one per
    # kernel. So run the coroutine behind it on a loop of our own, closed after. Its signature
    # is checked by tests/execute/test_jupyter_client_api.py.
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(manager._async_start_kernel())
    finally:
        loop.close()


class WarmKernels:
    """Sandboxed kernels forked ahead from a zygote with the heavy imports done; each one is
    for one submission only. Use `start` as `pipeline.grade`'s `kernels`.

    With `zygote=None` (and bubblewrap) it starts a zygote of its own, for `policy` (its
    stderr to `log`, if given); given the `address` of another pool's zygote it shares that
    one (another process's, for example: one zygote for all the workers of a batch holds the
    imported modules in memory once)."""

    def __init__(self, policy: SandboxPolicy, ahead: int = 1, preload: tuple[str, ...] | None = None,
                 startup_timeout: float = 60, zygote: ZygoteAddress | None = None,
                 log: Path | None = None) -> None:
        self.policy = policy
        self.ahead = max(0, ahead)
        self.startup_timeout = startup_timeout
        self._ready: queue.Queue[Kernel] = queue.Queue()
        self._wanted = threading.Semaphore(0)
        self._stop = threading.Event()
        self._count = threading.Lock()
        self.forked = 0  # kernels handed out that came from the zygote
        self.cold = 0  # kernels handed out that `start_kernel` started (a policy it cannot serve)
        self.own: Zygote | None = None  # the zygote this pool started, if it did
        self.broken = False  # its forked kernels die: cold ones from then on (said once)
        self.log = log
        self.zygote: ZygoteClient | None = None
        if zygote is None and zygote_can_serve(policy):
            self.own = Zygote(policy, preload, log=log)
            zygote = self.own.address
        self._fit = ZygoteFit(zygote.policy if zygote is not None else policy)
        if zygote is not None:
            try:
                self.zygote = ZygoteClient(zygote)
            except OSError:
                if self.own is not None:
                    self.own.close()
                raise
            for _ in range(self.ahead if self._fit.can_fork_ahead(policy) else 0):
                self._wanted.release()
            self._filler = threading.Thread(target=self._fill, name="warm-kernels", daemon=True)
            self._filler.start()

    @property
    def address(self) -> ZygoteAddress | None:
        """What another process passes to `WarmKernels(..., zygote=)` to share this zygote."""
        return self.zygote.address if self.zygote is not None else None

    def __enter__(self) -> WarmKernels:
        """The pool, started."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Close the pool and its zygote."""
        self.close()

    def start(self, policy: SandboxPolicy) -> Kernel:
        """A kernel for one submission: one forked ahead when there is one, else a fresh one."""
        if self.zygote is None or self._stop.is_set() or self.broken or \
                not self._fit.can_fork(policy) or not self.zygote.alive():
            return self._start_cold(policy)
        with self._count:
            self.forked += 1
        if self._fit.can_fork_ahead(policy):
            while True:
                try:
                    kernel = self._ready.get_nowait()
                except queue.Empty:
                    break
                self._wanted.release()
                if _forked_alive(kernel):
                    return kernel
                kernel.close()  # it died before anyone used it: forked kernels die here
                return self._give_up(policy, "a forked kernel died as it started")
        try:
            return start_forked(self.zygote, policy)
        except EnvironmentProblem as error:  # the zygote could not fork one: a cold one, then
            return self._give_up(policy, str(error))

    def _give_up(self, policy: SandboxPolicy, why: str) -> Kernel:
        """Cold kernels from now on, said once on stderr in one line; a cold one for now."""
        with self._count:
            self.forked -= 1
            first, self.broken = not self.broken, True
        if first:
            where = f"; see {self.log}" if self.log else ""
            print(f"grade: warm kernels cannot start here ({why}{where}); each kernel starts "
                  "cold", file=sys.stderr, flush=True)
        return self._start_cold(policy)

    def _start_cold(self, policy: SandboxPolicy) -> Kernel:
        with self._count:
            self.cold += 1
        return start_kernel(policy, self.startup_timeout)

    def _fill(self) -> None:
        assert self.zygote is not None
        while True:
            self._wanted.acquire()
            if self._stop.is_set() or self.broken:
                return
            try:
                self._ready.put(start_forked(self.zygote, self.policy))
            except Exception:  # noqa: BLE001 - `start` forks (or starts) one itself instead
                time.sleep(0.5)
                self._wanted.release()

    def close(self) -> None:
        """Destroy the kernels not handed out, and the zygote."""
        if self._stop.is_set():
            return
        self._stop.set()
        if self.zygote is None:
            return
        self._wanted.release()
        self._filler.join(timeout=30)
        while True:
            try:
                self._ready.get_nowait().close()
            except queue.Empty:
                break
        self.zygote.close()
        if self.own is not None:
            self.own.close()


def _forked_alive(kernel: Kernel) -> bool:
    """`kernel.is_alive()` without jupyter_core's run_sync (which leaves a loop in each thread)."""
    process = getattr(kernel.manager.provisioner, "process", None)
    return process is not None and process.poll() is None
