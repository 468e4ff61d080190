"""The warm kernels' fork server ("zygote") seen from the grading process: starting it, and
asking it for kernels.

`Zygote(policy)` starts `in_sandbox/fork_server.py` in bubblewrap (the policy's sandbox,
--as-pid-1; as root, without a user namespace, so that each kernel can take a real
unprivileged uid of its own); that file's docstring says what the zygote does and how each
kernel it forks is isolated. `ZygoteClient(address)` is one process's connection to it (each process makes its
own, from a picklable `ZygoteAddress`): it asks for a kernel to be forked, lets it go once it
is in its cgroup, kills it, and hears when it exits. A client that disconnects takes its
kernels along; a zygote that stops takes every kernel.
"""

from __future__ import annotations

import json
import os
import queue
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from grader.errors import EnvironmentProblem
from grader.execute.sandbox import (ProcessCap, kernel_env, namespace_flags, python_paths,
                                    sandbox_mounts)
from grader.in_sandbox import program
from grader.options import SandboxPolicy

# The modules the zygote imports once, before any fork, so that each kernel starts with them
# already in memory: what ipykernel itself loads to start (`KERNEL_START`), after what the
# course's notebooks import (`SandboxPolicy.kernel_preload`: the course's `[kernel] preload`,
# else the engine's default, torch and numpy). A module that fails to import is skipped. They
# count against each kernel's memory limit (about 200 MB of address space more than a cold
# kernel that imported only torch).
KERNEL_START = ("ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.zmqshell", "ipykernel.debugger",
                "IPython.core.interactiveshell", "IPython.core.completer")


def preload_for(policy: SandboxPolicy) -> tuple[str, ...]:
    """What a zygote for `policy` imports ahead: the course's modules, then ipykernel's."""
    return (*policy.kernel_preload, *KERNEL_START)


FULL_PROC = "/.grader-proc"  # inside the zygote: a /proc with nothing over it (see fork_server)


@dataclass(frozen=True)
class ZygoteAddress:
    """How to reach a running zygote from any process of this machine (picklable)."""

    socket: str
    pid: int  # the zygote's pid, seen from outside its sandbox
    base: str  # the folder bound into its sandbox that holds each kernel's folder
    policy: SandboxPolicy  # the sandbox it runs in


class Zygote:
    """The fork server in its sandbox. Its lifetime is this object's (and this process's).
    `log`: a file that gets the zygote's and its kernels' stderr (default: nowhere)."""

    def __init__(self, policy: SandboxPolicy, preload: tuple[str, ...] | None = None,
                 startup_timeout: float = 120, log: Path | None = None) -> None:
        base = Path(tempfile.mkdtemp(prefix="grader-warm-"))
        if os.getuid() == 0:
            base.chmod(0o711)  # each kernel's uid reaches its own folder in it (names unguessable)
        preload = preload_for(policy) if preload is None else preload
        config = {"base": str(base), "full_proc": FULL_PROC, "preload": list(preload),
                  "keep": [str(path) for path in python_paths()],  # a venv under /tmp, say
                  "socket": str(base / "zygote.sock"), "users": os.getuid() == 0}
        info_read, info_write = os.pipe()
        argv = ["bwrap", *namespace_flags(), "--die-with-parent", "--new-session", "--as-pid-1",
                "--info-fd", str(info_write), *sandbox_mounts(policy),
                "--bind", str(base), str(base), "--dir", FULL_PROC,
                "--chdir", str(base), "--unsetenv", "JPY_PARENT_PID",
                sys.executable, "-c", program("fork_server.py"), json.dumps(config)]
        self.base = base
        stderr = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600) if log else None
        try:
            self.process = subprocess.Popen(
                argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL if stderr is None else stderr,
                env=kernel_env(base, policy), pass_fds=(info_write,), start_new_session=True)
        finally:
            os.close(info_write)
            if stderr is not None:
                os.close(stderr)
        try:
            with os.fdopen(info_read) as info:
                pid = json.loads(info.read())["child-pid"]
            self.address = ZygoteAddress(config["socket"], pid, str(base), policy)
            self._wait_ready(startup_timeout)
        except Exception:
            self.close()
            raise

    def _wait_ready(self, timeout: float) -> None:
        assert self.process.stdout is not None
        with self.process.stdout:
            if not select.select([self.process.stdout], [], [], timeout)[0]:
                raise EnvironmentProblem(
                    f"the warm kernels' fork server did not start in {timeout:.0f} s")
            if not json.loads(self.process.stdout.readline() or b"{}").get("ready"):
                raise EnvironmentProblem("the warm kernels' fork server exited while starting")

    def close(self) -> None:
        """Stop the zygote: it kills every kernel it forked, whoever asked for it."""
        if self.process.stdin is not None and not self.process.stdin.closed:
            try:
                self.process.stdin.close()  # the zygote kills its children and exits
            except OSError:
                pass
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.base, ignore_errors=True)


class ZygoteClient:
    """One process's connection to a zygote. Thread-safe. Closing it kills its kernels."""

    def __init__(self, address: ZygoteAddress) -> None:
        self.address = address
        self.base = Path(address.base)
        self.connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.connection.connect(address.socket)
        self._lock = threading.Lock()
        self._replies: dict[str, queue.Queue] = {}
        self._exits: dict[str, int] = {}
        self._exited = threading.Condition()
        self.closed = False
        self._reader = threading.Thread(target=self._read_replies, name="zygote-replies",
                                        daemon=True)
        self._reader.start()

    def _read_replies(self) -> None:
        with self.connection.makefile("rb") as lines:
            self._dispatch(lines)
        with self._exited:  # the zygote is gone, and every kernel with it
            self.closed = True
            self._exited.notify_all()

    def _dispatch(self, lines: Iterable[bytes]) -> None:
        try:
            for line in lines:
                message = json.loads(line)
                if "spawned" in message:
                    replies = self._replies.get(message["spawned"])
                    if replies is not None:
                        replies.put(message)
                elif "exited" in message:
                    with self._exited:
                        self._exits[message["exited"]] = message["status"]
                        self._exited.notify_all()
        except (OSError, ValueError):
            pass

    def alive(self) -> bool:
        return not self.closed

    def _send(self, message: dict) -> None:
        with self._lock:
            self.connection.sendall((json.dumps(message) + "\n").encode())

    def spawn(self, request: dict, cap: ProcessCap | None, timeout: float = 30) -> None:
        """Fork the kernel `request["id"]`; with a cgroup, the fork waits until it is in it,
        before it starts anything."""
        name = request["id"]
        replies: queue.Queue = queue.Queue()
        self._replies[name] = replies
        try:
            if self.closed:
                raise EnvironmentProblem("the warm kernels' fork server has exited")
            self._send({"op": "spawn", "hold": cap is not None, **request})
            try:
                spawned = replies.get(timeout=timeout)
            except queue.Empty:
                raise EnvironmentProblem("the warm kernels' fork server did not answer") from None
            if "error" in spawned:
                raise EnvironmentProblem(f"the warm kernels' fork server could not fork: "
                                         f"{spawned['error']}")
        except OSError as error:
            raise EnvironmentProblem(f"the warm kernels' fork server is gone: {error}") from error
        finally:
            self._replies.pop(name, None)
        if cap is not None:
            try:
                cap.add(_host_pid(self.address.pid, spawned["pid"]))
                self._send({"op": "go", "id": name})
            except (OSError, LookupError) as error:
                self.kill(name)
                raise EnvironmentProblem(f"the kernel could not be put in its cgroup: {error}") \
                    from error

    def kill(self, name: str) -> None:
        if not self.closed:
            try:
                self._send({"op": "kill", "id": name})
            except OSError:
                pass

    def exit_status(self, name: str) -> int | None:
        with self._exited:
            if name in self._exits:
                return self._exits[name]
            return -9 if self.closed else None

    def wait(self, name: str, timeout: float | None = None) -> int | None:
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._exited:
            while name not in self._exits and not self.closed:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return None
                self._exited.wait(left)
            return self._exits.pop(name, -9)

    def close(self) -> None:
        try:
            self.connection.shutdown(socket.SHUT_RDWR)  # the zygote kills what is left of ours
        except OSError:
            pass
        self._reader.join(timeout=5)
        self.connection.close()


def _host_pid(zygote: int, inner: int) -> int:
    """The pid, seen from here, of the zygote's child whose pid in the sandbox is `inner`."""
    for task in Path(f"/proc/{zygote}/task").iterdir():
        for pid in (task / "children").read_text().split():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            spaces = next(line for line in status.splitlines() if line.startswith("NSpid:"))
            if int(spaces.split()[-1]) == inner:
                return int(pid)
    raise LookupError(f"no child {inner} of the zygote")
