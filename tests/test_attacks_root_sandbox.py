"""Attacks inside bubblewrap when the grader runs as root (as on a root CI runner): the kernel is
a real unprivileged uid, not root shown as another uid, so root-only files stay unreadable; every
temporary folder and the working folder have a size; a Python installed under /tmp stays
visible. Cold kernels and kernels forked by the warm zygote alike."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import pytest
from jupyter_client import BlockingKernelClient

from grader.execute.kernel import Kernel, start_kernel
from grader.execute.sandbox import TMPFS_SIZE, WORKDIR_SIZE, bubblewrap_available
from grader.warm.kernels import WarmKernels
from grader.options import SandboxPolicy

from conftest import ROOT

pytestmark = [pytest.mark.notebook, pytest.mark.hostile,
              pytest.mark.skipif(not bubblewrap_available(), reason="needs bubblewrap")]

POLICY = SandboxPolicy(memory_limit=2 * 1024**3)
ROOT_ONLY = ("/etc/shadow", "/etc/gshadow", "/etc/ssh/ssh_host_ed25519_key", "/etc/sudoers")

LOOK = textwrap.dedent(f"""
    import json, os
    seen = {{"uid": os.getuid(), "euid": os.geteuid(), "groups": os.getgroups(), "read": []}}
    for path in {ROOT_ONLY!r}:
        try:
            os.listdir(path) if os.path.isdir(path) else open(path, "rb").read(1)
            seen["read"].append(path)
        except OSError:
            pass
    seen["sizes"] = {{p: os.statvfs(p).f_blocks * os.statvfs(p).f_frsize
                     for p in ("/tmp", "/var/tmp", "/dev/shm", os.getcwd())}}
    print(json.dumps(seen))
    """)


def look_inside(kernel: Kernel) -> dict:
    client = BlockingKernelClient(parent=kernel.manager)  # alive: as the manager says
    client.load_connection_info(kernel.manager.get_connection_info())
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)
        out: list[str] = []
        client.execute_interactive(LOOK, timeout=60, output_hook=lambda msg: out.append(
            msg["content"].get("text", "")) if msg["msg_type"] == "stream" else None)
        return json.loads("".join(out))
    finally:
        client.stop_channels()


def assert_confined(seen: dict) -> None:
    if os.getuid() == 0:
        assert seen["uid"] != 0 and seen["euid"] != 0 and 0 not in seen["groups"], seen
    assert seen["read"] == [], seen
    for path in ("/tmp", "/var/tmp", "/dev/shm"):
        assert 0 < seen["sizes"][path] <= TMPFS_SIZE, (path, seen)
    work = [size for path, size in seen["sizes"].items() if path.endswith("/work")]
    assert len(work) == 1 and 0 < work[0] <= WORKDIR_SIZE, seen  # a tmpfs of its own


def test_a_cold_kernel_as_root_is_an_unprivileged_user_with_sized_folders():
    kernel = start_kernel(POLICY)
    try:
        assert_confined(look_inside(kernel))
    finally:
        kernel.close()


def test_a_warm_kernel_as_root_is_an_unprivileged_user_with_sized_folders():
    with WarmKernels(POLICY, ahead=0, preload=("numpy",)) as pool:
        kernel = pool.start(POLICY)
        try:
            assert pool.forked == 1
            assert_confined(look_inside(kernel))
        finally:
            kernel.close()


def test_a_python_installed_under_tmp_stays_visible_in_the_sandbox(tmp_path):
    """The sandbox's fresh /tmp once hid a virtual environment there: the kernel died."""
    venv = Path("/tmp") / f"grader-venv-{os.getpid()}"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    # its packages are this environment's (a venv of its own, such as README's .venv, is not
    # what --system-site-packages would give): its site-packages becomes a link to ours
    packages = Path(sysconfig.get_paths(vars={"base": str(venv)})["purelib"])
    shutil.rmtree(packages)
    packages.symlink_to(sysconfig.get_paths()["purelib"])
    try:
        started = subprocess.run(
            [str(venv / "bin" / "python"), "-c", textwrap.dedent("""
                from jupyter_client import BlockingKernelClient
                from grader.execute.kernel import start_kernel
                from grader.options import SandboxPolicy
                kernel = start_kernel(SandboxPolicy())
                client = BlockingKernelClient(parent=kernel.manager)
                client.load_connection_info(kernel.manager.get_connection_info())
                client.start_channels()
                client.wait_for_ready(timeout=60)
                reply = client.execute_interactive("import sys; print(sys.prefix)", timeout=60)
                print(reply["content"]["status"], kernel.isolation.value)
                client.stop_channels()
                kernel.close()
                """)],
            cwd=ROOT, capture_output=True, text=True, timeout=180,
            env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert started.returncode == 0, started.stderr[-2000:]
        assert started.stdout.split()[-2:] == ["ok", "bubblewrap"], started.stdout
    finally:
        subprocess.run(["rm", "-rf", str(venv)], check=False)
