"""Starting and stopping one sandboxed kernel for one submission.

`start_kernel` makes an empty working folder and an IPC folder, starts ipykernel under the
sandbox (`grader.execute.sandbox`) through jupyter_client, and returns a `Kernel` that owns them all;
`Kernel.close()` kills the kernel with everything it started and removes both folders.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from jupyter_client import KernelManager
from jupyter_client.kernelspec import KernelSpec

from grader.errors import EnvironmentProblem
from grader.results import Isolation
from grader.execute.sandbox import ProcessCap, SandboxPolicy, isolation_for, kernel_argv, kernel_env


class SandboxedKernelManager(KernelManager):
    """A KernelManager whose kernel spec is built here, not looked up on disk."""

    def set_spec(self, argv: list[str]) -> None:
        self._kernel_spec = KernelSpec(
            argv=argv, display_name="Python 3 (grader sandbox)", language="python",
            interrupt_mode="message",  # signals would reach bubblewrap, not the kernel
        )

    async def _async_wait(self, pollinterval: float = 0.01) -> None:
        # after a kill, notice the kernel's end within 10 ms, not jupyter_client's 100
        await super()._async_wait(pollinterval=min(pollinterval, 0.01))


@dataclass
class Kernel:
    manager: SandboxedKernelManager
    isolation: Isolation
    workdir: Path
    root: Path
    cap: ProcessCap | None

    def is_alive(self) -> bool:
        return self.manager.is_alive()

    def close(self) -> None:
        try:
            if self.manager.has_kernel:
                self.manager.shutdown_kernel(now=True)
        except Exception:  # noqa: BLE001 - a kernel that is already gone is fine
            pass
        finally:
            if self.cap is not None:
                self.cap.remove()
            self.manager.cleanup_resources()
            shutil.rmtree(self.root, ignore_errors=True)


def start_kernel(policy: SandboxPolicy, startup_timeout: float = 60) -> Kernel:
    isolation = isolation_for(policy)
    root = Path(tempfile.mkdtemp(prefix="grader-"))
    workdir, ipc_dir = root / "work", root / "ipc"
    workdir.mkdir()
    ipc_dir.mkdir(mode=0o700)
    cap = ProcessCap.create(policy.max_processes)
    env = kernel_env(workdir, policy)
    if cap is None and os.getuid() != 0:
        env["GRADER_MAX_PROCESSES"] = str(own_process_count() + policy.max_processes)
    manager = SandboxedKernelManager(
        client_class="jupyter_client.asynchronous.AsyncKernelClient",  # what nbclient needs
        transport="ipc", ip=str(ipc_dir / "kernel"),
        connection_file=str(ipc_dir / "connection.json"),
    )
    argv = kernel_argv(isolation, workdir, ipc_dir, policy)
    manager.set_spec(cap.wrap(argv) if cap is not None else argv)
    kernel = Kernel(manager, isolation, workdir, root, cap)
    try:
        manager.start_kernel(env=env, cwd=str(workdir), stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    except Exception as error:
        kernel.close()
        raise EnvironmentProblem(f"the kernel could not start: {error}") from error
    return kernel


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
