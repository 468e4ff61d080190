"""A failed cell's summary: the error's message, or for a bare `assert` the line that failed."""

import nbformat
import pytest
from jupyter_client import BlockingKernelClient

from grader.execute.kernel import start_kernel
from grader.execute.run import error_summary, execute_notebook
from grader.execute.sandbox import bubblewrap_available
from grader.warm.kernels import WarmKernels
from grader.options import ExecutionLimits, SandboxPolicy

from conftest import COURSE

CELL_FRAME = ("\x1b[36mCell\x1b[39m\x1b[36m \x1b[39m\x1b[32mIn[2]\x1b[39m\x1b[32m, line 2\x1b[39m\n"
              "\x1b[32m      1\x1b[39m x = \x1b[32m1\x1b[39m\n"
              "\x1b[32m----> \x1b[39m\x1b[32m2\x1b[39m \x1b[38;5;28;01massert\x1b[39;00m x == \x1b[32m2\x1b[39m\n")
PLAIN_CELL_FRAME = ("\x1b[36m  \x1b[39m\x1b[36mCell\x1b[39m\x1b[36m \x1b[39m\x1b[32mIn[1]\x1b[39m\x1b[32m, line 4"
                    "\x1b[39m\x1b[36m in \x1b[39m\x1b[35mf\x1b[39m\n\x1b[31m    \x1b[39m\x1b[31massert X.sum() > 100\x1b[39m\n")
PLAIN_LIBRARY_FRAME = ("\x1b[36m  \x1b[39m\x1b[36mFile \x1b[39m\x1b[32m/venv/torch/functional.py:372\x1b[39m\x1b[36m in "
                       "\x1b[39m\x1b[35meinsum\x1b[39m\n\x1b[31m    \x1b[39m\x1b[31massert ok\x1b[39m\n")
LIBRARY_FRAME = ("File \x1b[32m/venv/lib/python3.11/site-packages/torch/functional.py:402\x1b[39m, in einsum\n"
                 "\x1b[32m--> 402\x1b[39m     \x1b[38;5;28;01massert\x1b[39;00m ok\n")


def test_an_error_with_a_message_is_summarized_by_it():
    assert error_summary({"ename": "ValueError", "evalue": "bad shape", "traceback": [CELL_FRAME]}) == \
        "ValueError: bad shape"


def test_a_bare_assert_is_summarized_by_the_notebook_line_that_failed():
    error = {"ename": "AssertionError", "evalue": "", "traceback": ["-----", CELL_FRAME, "AssertionError: "]}
    assert error_summary(error) == "AssertionError: assert x == 2"


def test_a_library_s_line_is_never_the_summary():
    assert error_summary({"ename": "AssertionError", "evalue": "", "traceback": [CELL_FRAME, LIBRARY_FRAME]}) == \
        "AssertionError: assert x == 2"
    assert error_summary({"ename": "AssertionError", "evalue": "", "traceback": [LIBRARY_FRAME]}) == "AssertionError"
    assert error_summary({"ename": "AssertionError", "evalue": " ", "traceback": "not a list"}) == "AssertionError"


def test_the_grader_s_plain_tracebacks_give_the_same_summary():
    """The grader's kernels print tracebacks in IPython's "Plain" mode (sandbox.KERNEL_OPTIONS)."""
    header = "Traceback \x1b[36m(most recent call last)\x1b[39m:\n"
    error = {"ename": "AssertionError", "evalue": "",
             "traceback": [header, PLAIN_CELL_FRAME, PLAIN_LIBRARY_FRAME, "AssertionError\n"]}
    assert error_summary(error) == "AssertionError: assert X.sum() > 100"
    error["traceback"] = [header, PLAIN_LIBRARY_FRAME, "AssertionError\n"]
    assert error_summary(error) == "AssertionError"


BARE_ASSERTS = ["x = 1", "def check(value):\n    y = value\n    assert y == 2", "check(x)"]


def _summary_of_bare_asserts(start) -> str:  # a kernel starter
    """The summary of the notebook's failed cell; the kernel's own tracebacks checked "Plain"."""
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in BARE_ASSERTS])
    execution = execute_notebook(notebook, start, ExecutionLimits(cell_timeout=60))
    try:
        assert _plain_traceback(execution.kernel)
    finally:
        execution.kernel.close()
    return [cell.summary for cell in execution.summary.cells if cell.summary][0]


@pytest.mark.notebook
@pytest.mark.skipif(not bubblewrap_available(), reason="needs bubblewrap")
def test_real_kernels_cold_and_forked_name_the_line_of_a_bare_assert():
    """The kernels' traceback mode (sandbox.KERNEL_OPTIONS) reaches both kinds of kernel, and the
    summary reads it: the student's own line inside their function, not the call."""
    policy = SandboxPolicy(hidden=(COURSE / "solutions", COURSE / "checks"))
    assert _summary_of_bare_asserts(lambda: start_kernel(policy)) == "AssertionError: assert y == 2"
    with WarmKernels(policy, ahead=0) as pool:
        assert _summary_of_bare_asserts(lambda: pool.start(policy)) == "AssertionError: assert y == 2"
        assert pool.forked == 1


def _plain_traceback(kernel) -> bool:  # a grader.execute.kernel.Kernel
    """Whether the kernel prints IPython's "Plain" tracebacks (no "---->" context lines)."""
    client = BlockingKernelClient()
    client.load_connection_info(kernel.manager.get_connection_info())
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)
        errors = []
        client.execute_interactive("x = 1\nassert x == 2", timeout=60, output_hook=lambda msg:
                                   errors.append(msg["content"]) if msg["msg_type"] == "error" else None)
    finally:
        client.stop_channels()
    text = "".join(errors[0]["traceback"])
    return "most recent call last" in text and "---->" not in text
