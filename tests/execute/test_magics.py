"""IPython's magics in a real grading kernel: what runs (`%%writefile`, `%%time`, `%%capture`,
`%matplotlib`), what does not (`!cmd`, `x = !cmd`, `%%bash`, `%pip`, a bare `pip install`), and
Python that looks like a shell escape (`!=` at a continuation line's start) left as Python. The
transformation itself is unit-tested in tests/submission/test_ipython_syntax.py."""

from __future__ import annotations

import json

import nbformat
import pytest
from jupyter_client import BlockingKernelClient
from nbformat.v4 import new_code_cell, new_notebook

from grader.execute.kernel import start_kernel
from grader.execute.run import execute_notebook
from grader.execute.sandbox import bubblewrap_available
from grader.options import ExecutionLimits, SandboxPolicy
from grader.submission.notebook import load_notebook

from conftest import COURSE

pytestmark = [pytest.mark.notebook, pytest.mark.skipif(not bubblewrap_available(), reason="needs bubblewrap")]

CELLS = [
    "!pip install d2l==1.0.3\n!touch shell_marker",
    "%%writefile helpers.py\ndef double(x):\n    return 2 * x\n",
    "from helpers import double",
    "%%time\ndef timed():\n    return double(3)",
    "%%capture printed\nprint('hidden')\ncaptured = 5",
    "ok = (1\n!= 2)",
    "files = !ls\n%matplotlib inline",
    "%%bash\ntouch bash_marker",
    "pip install d2l",
    "import os\nstate = [timed(), captured, printed.stdout, ok, list(files),\n"
    "         os.path.exists('shell_marker'), os.path.exists('bash_marker')]",
]


def test_magics_run_as_in_ipython_and_shell_commands_do_not(tmp_path):
    path = tmp_path / "magics.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell(c) for c in CELLS]), path)
    submission = load_notebook(path)
    policy = SandboxPolicy(hidden=(COURSE / "solutions", COURSE / "checks"))
    execution = execute_notebook(submission.notebook, lambda: start_kernel(policy), ExecutionLimits(cell_timeout=60))
    try:
        assert [(c.number, c.status.value, c.summary) for c in execution.summary.cells
                if c.status.value != "ok"] == []
        assert _value(execution.kernel, "state") == [6, 5, "hidden\n", True, [], False, False]
    finally:
        execution.kernel.close()
    assert submission.skipped_lines == (
        "code cell 1: shell commands not run at grading (!pip install d2l==1.0.3; !touch shell_marker)",
        "code cell 7: shell command not run at grading (files = !ls)",
        "code cell 8: shell command not run at grading (%%bash)",
        "code cell 9: package install not run at grading (pip install d2l)")


def _value(kernel, name: str) -> object:
    client = BlockingKernelClient()
    client.load_connection_info(kernel.manager.get_connection_info())
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)
        printed: list[str] = []
        client.execute_interactive(f"import json; print(json.dumps({name}))", timeout=60, output_hook=lambda msg:
                                   printed.append(msg["content"]["text"]) if msg["msg_type"] == "stream" else None)
    finally:
        client.stop_channels()
    return json.loads("".join(printed))
