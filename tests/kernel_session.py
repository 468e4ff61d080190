"""A client on one sandboxed kernel, cold or forked, for tests that run code in it and read
what it printed (tests/warm/test_kernels.py, tests/execute/test_kernel_paths.py)."""

from __future__ import annotations

from jupyter_client import BlockingKernelClient

from grader.execute.kernel import Kernel


class Session:
    """A kernel of the pool and a client on it: `run(code)` gives what it printed."""

    def __init__(self, kernel: Kernel) -> None:
        self.kernel = kernel
        self.client = BlockingKernelClient(parent=kernel.manager)  # alive: as the manager says
        self.client.load_connection_info(kernel.manager.get_connection_info())
        self.client.start_channels()
        self.client.wait_for_ready(timeout=60)

    def run(self, code: str, timeout: float = 60) -> str:
        out: list[str] = []

        def hook(msg: dict) -> None:
            if msg["msg_type"] == "stream":
                out.append(msg["content"]["text"])
            elif msg["msg_type"] == "error":
                out.append(f"{msg['content']['ename']}: {msg['content']['evalue']}")

        self.client.execute_interactive(code, output_hook=hook, timeout=timeout)
        return "".join(out).strip()

    def close(self) -> None:
        self.client.stop_channels()
        self.kernel.close()
