"""Shared fixtures: the course in this repository and fast grading options."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ["GRADER_WARM_MINUTES"] = "0"  # no warm daemon: each test grades the way it calls

from grader.submission.course import Course
from grader.options import ExecutionLimits
from grader.pipeline import GradeOptions

ROOT = Path(__file__).resolve().parents[1]
COURSE = ROOT / "course"  # the built-in D2L course
sys.path.insert(0, str(COURSE / "lib"))  # its own modules (d2l_course), as its checks import them

# the graded names of each built-in assignment (../shared/assignment-contract.md)
CONTRACT = {
    "01_preprocessing": {"missing_fraction", "drop_most_missing", "preprocess"},
    "02_linear_algebra_autograd": {"frobenius_norm", "row_normalize", "gradient"},
    "03_linear_regression": {"linreg", "squared_loss", "SGD"},
    "04_softmax_regression": {"softmax", "cross_entropy", "accuracy", "SoftmaxRegressionScratch"},
    "05_mlp": {"relu", "MLPScratch", "backprop"},
}


@pytest.fixture(scope="session")
def course() -> Course:
    return Course(COURSE)


@pytest.fixture
def options(course: Course) -> GradeOptions:
    return GradeOptions(course=course, limits=ExecutionLimits(cell_timeout=20, notebook_budget=90),
                        call_timeout=10)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The house's size guideline, shown, not enforced: modules over 300 lines (400 fails)."""
    from test_rules import GOOD_LINES, long_modules

    over = long_modules()
    if over:
        terminalreporter.write_sep("-", f"modules over {GOOD_LINES} lines (split before 400)")
        for name, lines in over:
            terminalreporter.write_line(f"{lines:5d}  {name}")


KERNEL_PROGRAMS = {"bwrap", "grade", "grade-admin"}
KERNEL_MODULES = {"ipykernel", "ipykernel_launcher", "grader.commands.grade", "grader.commands.grade_admin"}


def _starts_a_kernel(args: object) -> bool:
    """A command that starts a kernel, a sandbox or a grading run (`--help`, and bubblewrap's
    probe `bwrap ... true` that decides the isolation before anything runs, aside)."""
    words = [str(a) for a in args] if isinstance(args, (list, tuple)) else str(args).split()
    if words[-1:] in (["--help"], ["--version"], ["true"]):
        return False  # a usage text, or a probe of what the sandbox can do
    return any(Path(word).name in KERNEL_PROGRAMS or word in KERNEL_MODULES for word in words)


@contextlib.contextmanager
def _no_kernels(item: pytest.Item) -> Iterator[None]:
    """Popen refuses, for `item`, any command that starts a kernel or a grading run."""
    original = subprocess.Popen.__init__

    def guarded(self: subprocess.Popen, args: object, *rest: object, **kwargs: object) -> None:
        if _starts_a_kernel(args):
            raise RuntimeError(f"{item.nodeid} starts a kernel or a grading run: mark it "
                               "@pytest.mark.notebook")
        original(self, args, *rest, **kwargs)

    subprocess.Popen.__init__ = guarded
    try:
        yield
    finally:
        subprocess.Popen.__init__ = original


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> object:
    """`-m "not notebook"` is true to its name: a test without the `notebook` mark that starts a
    kernel (or a grading run in a subprocess), in its fixtures too, fails and says so."""
    if item.get_closest_marker("notebook") is not None:
        return (yield)
    with _no_kernels(item):
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> object:
    if item.get_closest_marker("notebook") is not None:
        return (yield)
    with _no_kernels(item):
        return (yield)
