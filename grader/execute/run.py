"""Running a submission top to bottom in a sandboxed kernel, with nbclient.

A cell that raises is recorded and the next cell runs. A cell past its time limit is
interrupted; one that will not stop, or that kills the kernel, is recorded and the notebook
goes on in a fresh kernel that first replays the cells that ran before it (so the functions
defined there still get graded). A whole-notebook budget bounds it all. What the grading
process keeps is capped: each cell's outputs (errors shortened, never dropped), all cells'
outputs together, and the number of code cells run. Only this module knows nbclient's
exceptions; a kernel that cannot start is one `EnvironmentProblem`.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, replace
from typing import Callable

import nbformat
from jupyter_core.utils import run_sync
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError

from grader.errors import EnvironmentProblem
from grader.execute.kernel import Kernel
from grader.i18n import _
from grader.in_sandbox import gpu_on_cpu_bootstrap, responder_bootstrap
from grader.options import ExecutionLimits
from grader.results import CellRecord, ExecutionSummary

OUTPUT_CAP = 64 * 1024  # bytes of output kept per cell
NOTEBOOK_OUTPUT_CAP = 4 * 1024 * 1024  # bytes of output kept for all cells together
ERROR_TEXT_CAP = 4096  # characters kept of an error's message, and of its traceback
MAX_CODE_CELLS = 500  # code cells run; the rest are recorded as not run

logging.getLogger("traitlets").setLevel(logging.CRITICAL)


class CappedClient(NotebookClient):
    """nbclient's client, keeping at most OUTPUT_CAP bytes of each cell's output in memory,
    and NOTEBOOK_OUTPUT_CAP in all, as each message arrives. An error is always kept (it makes
    the cell's record), but shortened to ERROR_TEXT_CAP characters. No widget state is kept
    (nbclient would keep every comm message's "state", and its buffers base64-encoded), and an
    update of an earlier display is dropped when it is over OUTPUT_CAP. What zmq may queue
    before this client reads it is bounded by the kernel client's socket options
    (`grader.execute.kernel.PromptKernelClient`)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, store_widget_state=False, **kwargs)

    def _update_display_id(self, display_id: str, msg: dict) -> None:
        if len(str(msg.get("content", ""))) <= OUTPUT_CAP:
            super()._update_display_id(display_id, msg)

    def output(self, outs, msg, display_id, cell_index):  # nbclient's signature
        if msg["msg_type"] == "error":
            return super().output(outs, {**msg, "content": shortened_error(msg["content"])},
                                  display_id, cell_index)
        kept = getattr(self, "_kept_bytes", {})
        size = len(str(msg["content"]))
        if kept.get(cell_index, 0) + size > OUTPUT_CAP \
                or sum(kept.values()) + size > NOTEBOOK_OUTPUT_CAP:
            return None
        kept[cell_index] = kept.get(cell_index, 0) + size
        self._kept_bytes = kept
        return super().output(outs, msg, display_id, cell_index)


def shortened_error(content: dict) -> dict:
    """An error output's content with its name, message and traceback cut to size."""
    frames = content.get("traceback") or []
    lines, room = [], ERROR_TEXT_CAP
    for line in reversed(frames if isinstance(frames, list) else []):  # the last frames tell most
        if room <= 0:
            break
        lines.insert(0, str(line)[:room])
        room -= len(lines[0])
    return {**content, "ename": str(content.get("ename", ""))[:200],
            "evalue": str(content.get("evalue", ""))[:ERROR_TEXT_CAP], "traceback": lines}


ANSI_CODE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
CELL_FRAME = ("Cell In", "Input In", "<ipython-input-")  # how IPython 8 (and 7) head a cell's frame
RAISING_LINE = re.compile(r"^-+>\s*\d+\s(.*\S)")  # IPython's "Context" mode: "----> 3 assert x > 0"


def error_summary(error: dict) -> str:
    """A failed cell's summary: "ValueError: bad shape"; for an error without a message (a bare
    `assert`), the line that raised it, as the traceback shows it ("AssertionError: assert x > 0")."""
    name, value = str(error.get("ename", "")), str(error.get("evalue", ""))
    if not value.strip():
        value = raising_line(error.get("traceback"))
    return (f"{name}: {value}" if value else name)[:300]


def raising_line(traceback: object) -> str:
    """The code of the innermost notebook line an IPython traceback (a list of texts, one per
    frame, colored) points at; '' when no frame of a cell ("Cell In[5], line 3") shows one.
    Either mode: "Plain" (the grader's kernels: the frame's head, then its one line of code) or
    "Context" (a student's own kernel: lines around it, "---->" at the one that raised)."""
    found = ""
    for frame in traceback if isinstance(traceback, list) else []:
        lines = ANSI_CODE.sub("", str(frame)).strip().splitlines()
        if not lines or not lines[0].startswith(CELL_FRAME):
            continue  # a library's frame, or the header
        arrows = [match.group(1) for match in map(RAISING_LINE.match, lines[1:]) if match]
        if arrows:
            found = arrows[-1].strip()
        elif len(lines) > 1 and not lines[1].lstrip().startswith(("-", "^")):
            found = lines[1].strip()
    return found


@dataclass
class Execution:
    """The outcome of running a notebook: the kernel still alive (or None) and what happened."""

    kernel: Kernel | None
    summary: ExecutionSummary


class NotebookRun:
    def __init__(self, notebook: nbformat.NotebookNode, start: Callable[[], Kernel],
                 limits: ExecutionLimits, skipped_lines: tuple[str, ...] = (),
                 gpu_on_cpu: bool = False) -> None:
        self.notebook = notebook
        self.gpu_on_cpu = gpu_on_cpu  # serve the notebook's GPU requests on the CPU
        self.start = start
        self.limits = limits
        self.skipped_lines = skipped_lines
        self.kernel: Kernel | None = None
        self.client: CappedClient | None = None
        self.records: dict[int, CellRecord] = {}
        self.restarts = 0
        self.started_at = time.monotonic()

    def remaining(self) -> float:
        return self.limits.notebook_budget - (time.monotonic() - self.started_at)

    def run(self) -> Execution:
        code_cells = [i for i, c in enumerate(self.notebook.cells) if c.cell_type == "code"]
        for index in code_cells[MAX_CODE_CELLS:]:
            self.records[index] = CellRecord(
                index, "skipped", _("the notebook has more than {count} code cells").format(count=MAX_CODE_CELLS))
        code_cells = code_cells[:MAX_CODE_CELLS]
        budget_exhausted = False
        try:
            self._fresh_kernel()
            for index in code_cells:
                if self.remaining() <= 0:
                    budget_exhausted = True
                    self.records[index] = CellRecord(index, "skipped", _("the notebook's time budget was spent"))
                    continue
                if self.kernel is None:
                    self.records[index] = CellRecord(index, "skipped", _("no kernel"))
                    continue
                self.records[index] = self._run_cell(index)
                if self.records[index].status in ("killed-kernel", "timeout-kill"):
                    self._recover(code_cells, upto=index)
        except Exception:
            self.close()
            raise
        self._drop_client()  # the checks talk to the kernel over a client of their own
        summary = ExecutionSummary(
            cells=tuple(replace(self.records[i], number=code_cell_number(self.notebook, i))
                        for i in sorted(self.records)),
            kernel_restarts=self.restarts,
            duration=time.monotonic() - self.started_at,
            budget_exhausted=budget_exhausted,
            skipped_lines=self.skipped_lines,
        )
        return Execution(self.kernel, summary)

    def _drop_client(self) -> None:
        if self.client is not None and self.client.kc is not None:
            self.client.kc.stop_channels()
        self.client = None

    def close(self) -> None:
        self._drop_client()
        if self.kernel is not None:
            self.kernel.close()
            self.kernel = None

    def _fresh_kernel(self) -> None:
        self.close()
        self.kernel = self.start()
        client = CappedClient(
            self.notebook, km=self.kernel.manager, timeout=int(self.limits.cell_timeout),
            allow_errors=True, interrupt_on_timeout=False, record_timing=False,
            iopub_timeout=4, raise_on_iopub_timeout=False, startup_timeout=60,
        )
        client.log.setLevel(logging.CRITICAL)
        client.reset_execution_trackers()
        self.client = client
        try:
            client.start_new_kernel_client()
            bootstrap = responder_bootstrap() + ("\n" + gpu_on_cpu_bootstrap() if self.gpu_on_cpu else "")
            reply = run_sync(client.kc.execute_interactive)(
                bootstrap, silent=True, store_history=False, timeout=30, output_hook=lambda msg: None,
            )
        except Exception as error:  # nbclient's RuntimeError, a TimeoutError: one line, exit 8
            isolation = self.kernel.isolation.value if self.kernel is not None else "?"
            raise EnvironmentProblem(f"the notebook's kernel died as it started "
                                     f"(isolation: {isolation}): {error}") from error
        if reply["content"]["status"] != "ok":
            raise EnvironmentProblem("the grader's responder could not be installed in the kernel")

    def _run_cell(self, index: int) -> CellRecord:
        assert self.client is not None
        cell = self.notebook.cells[index]
        cell.outputs = []
        timeout = max(1.0, min(self.limits.cell_timeout, self.remaining()))
        self.client.timeout = int(timeout)
        began = time.monotonic()
        try:
            self.client.execute_cell(cell, index)
        except DeadKernelError:
            return CellRecord(index, "killed-kernel", self._death(), time.monotonic() - began)
        except CellTimeoutError:
            return self._interrupt(index, began, timeout)
        except (ValueError, TypeError, KeyError, RecursionError) as error:  # a message jupyter_client
            # cannot decode (a 100,000-digit JSON integer in a display's metadata): the cell's, not the grader's
            return CellRecord(index, "error", _("the grader could not read what this cell sent ({error})").format(
                error=type(error).__name__),
                              time.monotonic() - began)
        elapsed = time.monotonic() - began
        errors = [o for o in cell.outputs if o.get("output_type") == "error"]
        if errors:
            return CellRecord(index, "error", error_summary(errors[-1]), elapsed)
        if self.kernel is not None and not self.kernel.is_alive():
            return CellRecord(index, "killed-kernel", self._death(), elapsed)
        return CellRecord(index, "ok", "", elapsed)

    def _death(self) -> str:
        """What a cell that killed its kernel is recorded with: why, where the grader knows."""
        why = self.kernel.memory_note() if self.kernel is not None else ""
        died = _("the kernel died while running this cell")
        return _("{what} ({why})").format(what=died, why=why) if why else died

    def _interrupt(self, index: int, began: float, timeout: float) -> CellRecord:
        assert self.client is not None and self.kernel is not None
        summary = _("stopped after the cell's {seconds} s time limit").format(seconds=f"{timeout:.0f}")
        self.kernel.manager.interrupt_kernel()
        deadline = time.monotonic() + self.limits.interrupt_grace
        while time.monotonic() < deadline:
            try:
                msg = run_sync(self.client.kc.get_shell_msg)(timeout=max(0.05, deadline - time.monotonic()))
            except Exception:  # noqa: BLE001 - queue.Empty: keep waiting until the deadline
                continue
            if msg["msg_type"] == "execute_reply":
                return CellRecord(index, "timeout", summary, time.monotonic() - began)
        return CellRecord(index, "timeout-kill", _("{summary} (the kernel had to be restarted)").format(summary=summary),
                          time.monotonic() - began)

    def _recover(self, code_cells: list[int], upto: int) -> None:
        """Start a fresh kernel and replay the cells before `upto` that ran to their end."""
        if self.restarts >= self.limits.max_restarts or self.remaining() <= 0:
            self.close()
            return
        self.restarts += 1
        self._fresh_kernel()
        for index in code_cells:
            if index >= upto:
                break
            if self.records[index].status in ("ok", "error") and self.remaining() > 0:
                replay = self._run_cell(index)
                if replay.status in ("killed-kernel", "timeout-kill"):
                    self.close()
                    return


def code_cell_number(notebook: nbformat.NotebookNode, index: int) -> int:
    """The number Jupyter shows for cell `index` run from the top: code cells counted from 1."""
    return sum(1 for cell in notebook.cells[:index + 1] if cell.cell_type == "code")


def execute_notebook(notebook: nbformat.NotebookNode, start: Callable[[], Kernel],
                     limits: ExecutionLimits, skipped_lines: tuple[str, ...] = (),
                     gpu_on_cpu: bool = False) -> Execution:
    """Run every code cell of (a copy of) `notebook`; the returned kernel stays alive. With
    `gpu_on_cpu`, its kernels serve GPU requests on the CPU (`grader/in_sandbox/gpu_on_cpu.py`)."""
    return NotebookRun(nbformat.from_dict(notebook), start, limits, skipped_lines, gpu_on_cpu).run()
