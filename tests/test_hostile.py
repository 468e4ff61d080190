"""Hostile submissions: each earns nothing it did not earn, ends within its limits, and leaves
no process behind. Built from the 04 notebooks with cells added or changed."""

from __future__ import annotations

import copy
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell

from grader.options import ExecutionLimits
from grader.pipeline import grade
from grader.results import CheckStatus

from conftest import COURSE

pytestmark = [pytest.mark.notebook, pytest.mark.hostile]

SOLVED = COURSE / "solutions" / "04_softmax_regression.ipynb"
UNTOUCHED = COURSE / "assignments" / "04_softmax_regression.ipynb"
SOFTMAX_BODY = "    X_exp = torch.exp(X - X.max(dim=1, keepdim=True).values)"


def build(tmp_path: Path, base: Path, name: str, cells=(), replace=None, at=None) -> Path:
    notebook = nbformat.read(base, as_version=4)
    notebook = copy.deepcopy(notebook)
    if replace is not None:
        hits = [c for c in notebook.cells if c.cell_type == "code" and replace[0] in c.source]
        assert hits, "the replacement must apply"
        for cell in hits:
            cell.source = cell.source.replace(*replace)
    new = [new_code_cell(source) for source in cells]
    position = len(notebook.cells) if at is None else at
    notebook.cells[position:position] = new
    path = tmp_path / f"{name}.ipynb"
    nbformat.write(notebook, path)
    return path


def processes_with(marker: str) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if marker in cmdline:
                found.append(f"{entry.name}: {cmdline}")
    return found


def failing(report) -> set[str]:
    return {c.name for c in report.checks if c.status is not CheckStatus.PASSED}


def by_function(report, function: str) -> list:
    return [c for c in report.checks if c.function == function]


@pytest.fixture
def fast(options):
    from dataclasses import replace

    return replace(options, limits=ExecutionLimits(cell_timeout=15, notebook_budget=120))


def test_top_level_endless_loop_costs_only_its_cell(tmp_path, fast):
    path = build(tmp_path, SOLVED, "loop", ["while True:\n    pass"], at=3)
    started = time.monotonic()
    report = grade(path, fast)
    assert time.monotonic() - started < 90
    assert [c.status for c in report.execution.cells if c.index == 3] == ["timeout"]
    assert report.score == report.max_score


def test_endless_loop_in_softmax_loses_only_what_uses_softmax(tmp_path, fast):
    path = build(tmp_path, SOLVED, "loop_softmax", replace=(SOFTMAX_BODY, "    while True:\n        pass"))
    started = time.monotonic()
    report = grade(path, fast)
    assert time.monotonic() - started < 150
    assert all(c.status is CheckStatus.FAILED for c in by_function(report, "softmax")
               if "built-in" not in c.name)
    assert any("did not return" in c.message for c in by_function(report, "softmax"))
    for function in ("cross_entropy", "accuracy"):
        assert all(c.status is CheckStatus.PASSED for c in by_function(report, function)), function


def test_exit_in_last_cell_keeps_the_correct_functions(tmp_path, fast):
    path = build(tmp_path, SOLVED, "exit", ["import os\nos._exit(1)"])
    report = grade(path, fast)
    assert report.execution.cells[-1].status == "killed-kernel"
    assert report.execution.kernel_restarts == 1
    assert report.score == report.max_score


def test_patched_allclose_and_eq_earn_nothing_with_stubs(tmp_path, fast):
    patch = ("import torch\ntorch.allclose = lambda *a, **k: True\ntorch.equal = lambda *a, **k: True\n"
             "torch.Tensor.__eq__ = lambda *a, **k: True\ntorch.isclose = lambda a, b, **k: torch.ones_like(a, dtype=torch.bool)")
    path = build(tmp_path, UNTOUCHED, "allclose", [patch], at=2)
    report = grade(path, fast)
    assert report.score == 0
    assert all(c.message for c in report.checks)


def test_object_equal_to_everything_earns_no_value_check(tmp_path, fast):
    liar = ("class Liar:\n    shape = (4, 5)\n    def __eq__(self, other):\n        return True\n"
            "    def __getattr__(self, name):\n        return lambda *a, **k: self\n"
            "def softmax(X):\n    return Liar()\n"
            "def cross_entropy(y_hat, y):\n    return Liar()\n")
    path = build(tmp_path, UNTOUCHED, "liar", [liar], at=2)
    report = grade(path, fast)
    value_checks = [c for c in report.checks if c.function in ("softmax", "cross_entropy")
                    and ("reference" in c.name or "sum to one" in c.name or "finite" in c.name)]
    assert value_checks and all(c.status is CheckStatus.FAILED for c in value_checks)
    assert report.score <= 3  # at most the source and input checks of the two liars


def test_reading_the_course_files_fails_inside_the_sandbox(tmp_path, fast):
    reads = [f"open({str(SOLVED)!r}).read()", f"open({str(COURSE / 'checks' / '04_softmax_regression.py')!r}).read()",
             f"import os; os.listdir({str(COURSE / 'checks')!r})", f"import os; os.listdir({str(COURSE / 'solutions')!r})",
             "import grader"]
    path = build(tmp_path, UNTOUCHED, "reader", reads)
    report = grade(path, fast)
    added = report.execution.cells[-len(reads):]
    assert [c.status for c in added] == ["error"] * len(reads), added
    assert all("FileNotFoundError" in c.summary or "ModuleNotFoundError" in c.summary for c in added)
    assert report.score == 0


def test_eight_gib_allocation_fails_and_grading_goes_on(tmp_path, fast):
    path = build(tmp_path, SOLVED, "alloc", ["import torch\nx = torch.ones(8 * 1024**3, dtype=torch.uint8)"])
    report = grade(path, fast)
    assert report.execution.cells[-1].status == "error"
    assert "allocate" in report.execution.cells[-1].summary
    assert report.score == report.max_score


def test_bounded_fork_loop_is_capped_and_cleaned_up(tmp_path, fast):
    marker = "600.0123"
    fork_loop = ("import os, time\nchildren = 0\nfor _ in range(300):\n    try:\n        pid = os.fork()\n"
                 "    except OSError:\n        break\n    if pid == 0:\n        os.execvp('sleep', ['sleep', "
                 f"'{marker}'])\n    children += 1\nassert children < 300, children")
    path = build(tmp_path, SOLVED, "forks", [fork_loop])
    report = grade(path, fast)
    # the cap stops the loop (the cell fails, or hangs and is killed); the functions still score
    assert report.execution.cells[-1].status != "error"  # "error": the assert saw 300 children
    assert report.score == report.max_score
    assert processes_with(marker) == []


def test_process_started_in_a_new_session_is_gone_after_grading(tmp_path, fast):
    marker = "600.0456"
    path = build(tmp_path, UNTOUCHED, "sleeper",
                 [f"import subprocess\nsubprocess.Popen(['sleep', '{marker}'], start_new_session=True)"])
    report = grade(path, fast)
    assert report.execution.cells[-1].status == "ok"
    assert processes_with(marker) == []
