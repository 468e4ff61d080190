"""The private parts of jupyter_client that grader.execute relies on, so that a new release that
changes them fails here, by name, rather than as kernels that will not start.

- `KernelManager._kernel_spec`: set by `SandboxedKernelManager.set_spec` (no spec on disk).
- `KernelManager._async_wait(pollinterval=)`: overridden to notice a kernel's end sooner.
- `KernelManager._async_start_kernel(**kw)`: awaited on a loop of our own outside the main
  thread (`warm._start_in_any_thread`).
- `LocalProvisioner.process`: a `ForkedKernel` stands in for the `Popen` it acts on.
- `LocalProvisioner.pre_launch` calls the public `write_connection_file`, which
  `SandboxedKernelManager` overrides to give the file to the kernel's own user.
- `KernelClient._handle_kernel_info_reply(msg)`: called by `PromptKernelClient.wait_for_ready`,
  as jupyter_client's own wait does; nbclient awaits the public `wait_for_ready(timeout=)`.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import signal

from jupyter_client import KernelClient, KernelManager
from jupyter_client.provisioning import LocalProvisioner
from nbclient import NotebookClient

from grader.execute.kernel import SandboxedKernelManager
from grader.execute.sandbox import KERNEL_OPTIONS, kernel_argv
from grader.warm.kernels import ForkedKernel, ForkedProvisioner
from grader.in_sandbox import program
from grader.options import SandboxPolicy
from grader.results import Isolation


def test_a_spec_set_here_is_the_manager_s_spec(tmp_path):
    manager = SandboxedKernelManager(connection_file=str(tmp_path / "connection.json"))
    assert "_kernel_spec" in vars(KernelManager)
    manager.set_spec(["python", "-f", "{connection_file}"])
    assert manager.kernel_spec.argv == ["python", "-f", "{connection_file}"]
    assert manager.kernel_spec.interrupt_mode == "message"


def test_the_cold_kernel_s_command_survives_jupyter_client_s_templating(tmp_path):
    limits = {"memory": 1024, "processes": 0}
    argv = kernel_argv(Isolation.RLIMITS, tmp_path, tmp_path, SandboxPolicy(), limits)
    manager = SandboxedKernelManager(connection_file=str(tmp_path / "connection.json"))
    manager.set_spec(argv)
    formatted = manager.format_kernel_cmd()
    assert formatted[2] == program("boot.py")
    assert json.loads(formatted[3]) == limits
    assert formatted[4:] == ["-f", str(tmp_path / "connection.json"), *KERNEL_OPTIONS]


def test_the_wait_we_override_is_a_coroutine_taking_pollinterval():
    for cls in (KernelManager, SandboxedKernelManager):
        assert inspect.iscoroutinefunction(cls._async_wait)
        assert "pollinterval" in inspect.signature(cls._async_wait).parameters
    # and jupyter_client still calls it by that keyword when it shuts a kernel down
    assert "_async_wait(pollinterval=" in inspect.getsource(KernelManager._async_finish_shutdown)


def test_the_kernel_info_handler_we_call_takes_the_reply():
    assert list(inspect.signature(KernelClient._handle_kernel_info_reply).parameters) == ["self", "msg"]
    assert "_handle_kernel_info_reply(msg)" in inspect.getsource(KernelClient._async_wait_for_ready)
    assert "wait_for_ready(timeout=" in inspect.getsource(NotebookClient.async_start_new_kernel_client)


def test_the_start_we_await_is_a_coroutine_taking_keywords():
    start = KernelManager._async_start_kernel
    assert inspect.iscoroutinefunction(start)
    kinds = [p.kind for p in inspect.signature(start).parameters.values()]
    assert kinds == [inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.VAR_KEYWORD]


class FakeZygote:
    """Just what a ForkedKernel asks of its zygote client."""

    def __init__(self) -> None:
        self.killed: list[str] = []
        self.status: int | None = None

    def exit_status(self, name: str) -> int | None:
        return self.status

    def wait(self, name: str, timeout: float | None = None) -> int | None:
        return self.status

    def kill(self, name: str) -> None:
        self.killed.append(name)
        self.status = -9


def test_the_provisioner_acts_on_the_forked_kernel_as_on_a_popen(tmp_path):
    manager = SandboxedKernelManager(connection_file=str(tmp_path / "connection.json"))
    manager.set_spec(["(forked)"])
    provisioner = ForkedProvisioner(kernel_id="k1", kernel_spec=manager.kernel_spec, parent=manager)
    assert isinstance(provisioner, LocalProvisioner) and provisioner.process is None
    zygote = FakeZygote()
    provisioner.process = ForkedKernel(zygote, "k1")  # what launch_kernel sets
    provisioner.pid = provisioner.pgid = None

    async def drive() -> list:
        seen = [await provisioner.poll(), provisioner.has_process]
        await provisioner.send_signal(signal.SIGKILL)
        seen.append(await provisioner.poll())
        await provisioner.wait()
        return seen + [provisioner.has_process]

    assert asyncio.run(drive()) == [None, True, -9, False]
    assert zygote.killed == ["k1"]


def test_the_connection_file_goes_to_the_kernel_s_own_user(tmp_path, monkeypatch):
    """`write_connection_file` (public) is what the provisioner calls to write it."""
    from grader.execute.kernel_user import KernelUser

    assert "write_connection_file(" in inspect.getsource(LocalProvisioner.pre_launch)
    owners = []
    monkeypatch.setattr("os.chown", lambda path, uid, gid: owners.append((path, uid, gid)))
    manager = SandboxedKernelManager(connection_file=str(tmp_path / "connection.json"))
    manager.kernel_user = KernelUser(1_900_000_001, 1_900_000_001)
    manager.write_connection_file()
    assert owners == [(str(tmp_path / "connection.json"), 1_900_000_001, 1_900_000_001)]
