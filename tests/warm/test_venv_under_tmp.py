"""Warm kernels wherever the grader lives: with the grader's Python installed under /tmp (a
virtual environment made there), a forked kernel gets a fresh /tmp of its own, which would hide
that Python from it; the fork server binds it again, read-only, as a cold sandbox does.

Reproduced cheaply: this test's own virtual environment hard-linked (`cp -al`, no data copied)
into pytest's temporary folder under /tmp, and a probe run by that copy's Python."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grader.execute.sandbox import bubblewrap_available

pytestmark = [pytest.mark.notebook,
              pytest.mark.skipif(not bubblewrap_available(), reason="needs bubblewrap"),
              pytest.mark.skipif(sys.prefix == sys.base_prefix, reason="needs a virtual environment")]

PROBE = """
import sys
from jupyter_client import BlockingKernelClient
from grader.options import GradeOptions, sandbox_policy
from grader.warm.kernels import WarmKernels

policy = sandbox_policy(GradeOptions())
with WarmKernels(policy, ahead=0) as pool:
    kernel = pool.start(policy)
    client = BlockingKernelClient(parent=kernel.manager)
    client.load_connection_info(kernel.manager.get_connection_info())
    client.start_channels()
    client.wait_for_ready(timeout=60)
    out = []
    client.execute_interactive("import sys, torch; print(sys.prefix, torch.ones(2).sum().item())",
                               timeout=60, output_hook=lambda m: out.append(m["content"].get("text", "")))
    client.stop_channels()
    kernel.close()
    print("forked:", pool.forked, "cold:", pool.cold, "said:", "".join(out).strip())
"""


def test_a_forked_kernel_runs_with_the_grader_in_a_venv_under_tmp(tmp_path):
    venv = tmp_path / "venv"
    copied = subprocess.run(["cp", "-al", sys.prefix, str(venv)], capture_output=True)
    if copied.returncode != 0:  # another filesystem than /tmp's: no hard links
        shutil.rmtree(venv, ignore_errors=True)
        pytest.skip("cannot hard-link the virtual environment under /tmp")
    assert str(venv).startswith("/tmp/")
    python = venv / "bin" / Path(sys.executable).name
    probe = subprocess.run([str(python), "-c", PROBE], capture_output=True, text=True, timeout=300)
    assert probe.returncode == 0, probe.stderr[-2000:]
    assert f"forked: 1 cold: 0 said: {venv} 2.0" in probe.stdout, probe.stdout + probe.stderr[-2000:]
