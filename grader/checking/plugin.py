"""The pytest plugin that runs an assignment's checks against one live submission.

pytest collects and runs the check file in the grading process; this plugin supplies the
fixtures (`student`, `reference`, `data_dir`; a course adds its own, such as the D2L course's
`image_data`, with course.toml's `[checks] fixtures`), seeds every check, gives each one a time
limit for its calls into the kernel, and turns each outcome into a `CheckResult`: a verdict
(`grader.checking.verdicts`) or a failed assertion is a failed check. Anything else a check
raises after the student's code answered it (an OverflowError or TypeError judging a strange
answer) is a failed check too, "the grader could not read this answer": what the kernel sent
never earns points by being unreadable. Raised before any answer, it is an error of the check
(the instructor's to fix, named in the detail). Scoring (`score_by_function`): a function earns
its points only when every check of it passes; a check marked `condition=True` ("uses no
built-in", "leaves its input unchanged") holds no points of its own, and its failure too costs
the function's points; so does an error of the check: no verdict, no points. A checks file that pytest cannot run at all (a syntax error, a
failing import, a check without its marker) is an `AuthoringError` naming the file and line.
"""

from __future__ import annotations

import contextlib
import dataclasses
import random
import sys
import time
import traceback
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from grader.checking.course_modules import fixture_modules
from grader.checking.mistakes import RUNNING_REFERENCE
from grader.checking.portable_random import PortableRandom
from grader.checking.recorded import RecordedReference, RecordingReference
from grader.checking.seeds import RUN_SEED
from grader.checking.sending import GRADER_FOLDER
from grader.checking.student import Student
from grader.checking.verdicts import CheckFailed, KernelUnavailable, StudentCallError
from grader.errors import AuthoringError
from grader.i18n import _
from grader.results import CheckResult, CheckStatus
from grader.submission.course import settings_of
from grader.submission.course_settings import CourseSettings

DEFAULT_TIMEOUT = 10.0
MARKER_HELP = ("check(name, points=1, hidden=False, timeout=10, condition=False): a graded check; the "
               "name begins with the function it judges; a condition holds no points, but its failure "
               "costs the function's points")


class GradingPlugin:
    def __init__(self, student: Student | None, reference: Any,
                 data_dir: Path | None = None, seed: int = 0, public_only: bool = False,
                 unavailable: str = "") -> None:
        self._student = student
        self._public_only = public_only
        self._unavailable = unavailable or _("the notebook could not be run")
        self._reference = reference
        self._data_dir = data_dir
        self._seed = seed
        self._started: dict[str, float] = {}
        self._replies_before: dict[str, int] = {}  # the student's reply count as each check began
        self._failures: dict[str, tuple[CheckStatus, str, str]] = {}
        self.results: list[CheckResult] = []
        self.deselected = 0
        self.hidden_points = 0.0  # the points of the hidden checks left out by public_only
        self.problem: tuple[int, str] | None = None  # (line, what): why the checks file cannot run

    # -- fixtures -------------------------------------------------------------------------
    @pytest.fixture
    def student(self) -> Student:
        if self._student is None:
            raise KernelUnavailable(self._unavailable)
        return self._student

    @pytest.fixture
    def reference(self) -> Any:
        return self._reference

    @pytest.fixture
    def data_dir(self) -> Path | None:
        """The data folder given to the grader (`--data`), None without: for a course's fixtures."""
        return self._data_dir

    # -- hooks ----------------------------------------------------------------------------
    def pytest_configure(self, config: pytest.Config) -> None:
        config.addinivalue_line("markers", MARKER_HELP)
        # Failure reports are never read (a check's verdict comes from call.excinfo), and
        # pytest's default "long" style parses the source with ast for every traceback frame:
        # a fifth of a batch's CPU. `--tb` is the terminal plugin's, which is not loaded, so
        # the option it would set is set here (tests/checking/test_plugin.py notices if it goes).
        config.option.tbstyle = "native"

    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        for item in items:
            if item.get_closest_marker("check") is None:
                line = item.location[1] + 1 if item.location[1] is not None else 0
                self.problem = (line, f"{item.name} has no @pytest.mark.check(name, points=…)")
                raise pytest.UsageError(self.problem[1])
        if self._public_only:
            hidden = [item for item in items if _spec(item)["hidden"]]
            if hidden:
                self.deselected = len(hidden)
                self.hidden_points = sum(_spec(item)["points"] for item in hidden)
                config.hook.pytest_deselected(items=hidden)
                items[:] = [item for item in items if not _spec(item)["hidden"]]

    def pytest_exception_interact(self, node: pytest.Item | pytest.Collector, call: pytest.CallInfo,
                                  report: pytest.CollectReport | pytest.TestReport) -> None:
        if isinstance(report, pytest.CollectReport) and self.problem is None:
            self.problem = _load_problem(call.excinfo.value, Path(str(node.path)))

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Any:
        spec = _spec(item)
        random.seed(self._seed)
        np.random.seed(self._seed)
        torch.manual_seed(self._seed)
        if self._student is not None:
            try:
                self._student.deadline = None
                self._student.seed(self._seed)
            except StudentCallError:
                pass
            self._student.deadline = time.monotonic() + spec["timeout"]
            self._replies_before[item.nodeid] = getattr(self._student, "replies", 0)
        kit = isinstance(self._reference, (RecordingReference, RecordedReference))
        if kit:  # a kit's answers: looked up by the check that asks, on inputs drawn the same everywhere
            self._reference.begin_case(item.name)
        running = RUNNING_REFERENCE.set(self._reference)  # known mistakes' answers come from it
        seeding = RUN_SEED.set(self._seed)  # a check's own cases draw from it (`seeded`)
        try:
            with PortableRandom() if kit else contextlib.nullcontext():
                return (yield)
        finally:
            RUN_SEED.reset(seeding)
            RUNNING_REFERENCE.reset(running)
            if self._student is not None:
                self._student.deadline = None

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo) -> Any:
        report = yield
        if call.when == "setup":
            self._started[item.nodeid] = time.monotonic()
        if call.excinfo is not None and report.failed:
            self._failures.setdefault(item.nodeid, _judge(call.excinfo.value, _spec(item)["hidden"],
                                                          self._answered(item)))
        if call.when == "teardown":
            self.results.append(self._result(item))
        return report

    def _answered(self, item: pytest.Item) -> bool:
        """Whether the student's kernel answered during this check."""
        before = self._replies_before.get(item.nodeid)
        return before is not None and getattr(self._student, "replies", 0) > before

    def _result(self, item: pytest.Item) -> CheckResult:
        spec = _spec(item)
        status, message, detail = self._failures.get(item.nodeid, (CheckStatus.PASSED, "", ""))
        return CheckResult(
            name=_(spec["name"]), points=spec["points"] if status is CheckStatus.PASSED else 0.0,
            max_points=spec["points"], status=status, hidden=spec["hidden"], message=message,
            detail=detail, duration=time.monotonic() - self._started.get(item.nodeid, time.monotonic()),
            number=str(len(self.results) + 1), function=spec["name"].split(":")[0].strip(),
        )


def _spec(item: pytest.Item) -> dict:
    marker = item.get_closest_marker("check")
    args, kwargs = (marker.args, marker.kwargs) if marker else ((), {})
    name = kwargs.get("name") or (args[0] if args else item.name)
    condition = bool(kwargs.get("condition", False))
    return {"name": str(name), "points": 0.0 if condition else float(kwargs.get("points", 1)),
            "hidden": bool(kwargs.get("hidden", False)),
            "timeout": float(kwargs.get("timeout", DEFAULT_TIMEOUT))}


UNREADABLE = "the grader could not read this answer"


def _judge(error: BaseException, hidden: bool, answered: bool = False) -> tuple[CheckStatus, str, str]:
    """The status, the student's message and the instructor's detail for a failed check;
    `answered`: the student's kernel answered during the check (see the module's docstring)."""
    if isinstance(error, StudentCallError):
        detail = str(error)
        said = _("hidden check: {failure}").format(failure=error.hidden_text)
        return CheckStatus.FAILED, (said if hidden else detail), detail
    if isinstance(error, CheckFailed):
        detail = str(error)
        return CheckStatus.FAILED, (_("hidden check: wrong answer") if hidden else detail), detail
    if isinstance(error, KernelUnavailable):
        return CheckStatus.FAILED, _("not graded: {reason}").format(reason=error), str(error)
    if isinstance(error, AssertionError):
        detail = str(error) or _("the check's condition was not met")
        return CheckStatus.FAILED, (_("hidden check: wrong answer") if hidden else detail), detail
    detail = f"{type(error).__name__}: {_bounded(error)}{_check_line(error)}"
    if answered:
        return (CheckStatus.FAILED,
                _("hidden check: {failure}").format(failure=_("the grader could not read this answer")) if hidden
                else _("the grader could not read this answer (reported to the instructor)"),
                f"{UNREADABLE}: the check raised {detail} after the student's code answered "
                "(an answer it cannot judge, or an error of the check)")
    return CheckStatus.ERROR, _("the check could not judge this answer (reported to the instructor)"), detail


def _bounded(error: BaseException) -> str:
    """`str(error)`, at most 300 characters; a placeholder when even that raises."""
    try:
        text = str(error)
    except Exception:  # noqa: BLE001 - an answer's own __str__, or a 100,000-digit number
        return "(its message cannot be shown)"
    return text if len(text) <= 300 else text[:300] + "…"


def _check_line(error: BaseException) -> str:
    """" at line N of <checks file>": the innermost line of a checks file in the traceback."""
    found = ""
    for frame in traceback.extract_tb(error.__traceback__):
        if GRADER_FOLDER not in Path(frame.filename).resolve().parents:
            found = f" at line {frame.lineno} of {Path(frame.filename).name}"
    return found


class CheckResults(list):
    """The results of a checks file, and the points of the hidden checks left out (public_only)."""

    def __init__(self, results: list[CheckResult], hidden_points: float = 0.0) -> None:
        super().__init__(results)
        self.hidden_points = hidden_points


def run_checks(checks: Path, plugin: GradingPlugin, settings: CourseSettings | None = None) -> CheckResults:
    """Collect and run one check file with pytest, in this process, with the course's `[checks]`
    settings (default: those of the course folder the file is in).

    Raises AuthoringError (naming the file and line) when the file cannot be run at all."""
    settings = settings_of(checks.resolve().parent.parent) if settings is None else settings
    fixtures = fixture_modules(settings)
    args = [
        str(checks), "-p", "no:cacheprovider", "-p", "no:terminal", "-p", "no:stepwise",
        "-p", "no:unraisableexception", "-p", "no:threadexception", "-W", "ignore",
        "--assert=plain", "--import-mode=importlib", "--capture=sys",
        "-c", str(Path(__file__).with_name("checks.ini")), "--rootdir", str(checks.parent),
    ]
    _forget_same_name(checks)
    code = pytest.main(args, plugins=[plugin, *fixtures])
    if code in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        return CheckResults(score_by_function(plugin.results), hidden_points=plugin.hidden_points)
    if code == pytest.ExitCode.NO_TESTS_COLLECTED and plugin.problem is None:
        if plugin.deselected:  # every check is hidden and only the public ones were asked for
            return CheckResults([], hidden_points=plugin.hidden_points)
        raise AuthoringError(checks.name, 1, "no checks found (functions marked @pytest.mark.check)")
    _forget_module(checks)
    line, problem = plugin.problem or (0, f"the checks could not be run (pytest exit status {int(code)})")
    raise AuthoringError(checks.name, line, problem)


def score_by_function(results: list[CheckResult]) -> list[CheckResult]:
    """The scoring rule: points only for demonstrated correctness.

    A function (the text before a check's first ':') keeps the points of its passed checks only
    when none of its checks failed, conditions included. Otherwise each of its passed checks
    that holds points earns 0 and says which check of the function failed; a condition that holds
    (no points of its own) still says so. A check that could not judge (an error of the check)
    costs its function the same: points only for demonstrated correctness.

    A visible check never names a hidden one (its name is the instructor's until results are
    published): it names a visible check that failed, or else says "another of its checks";
    the detail, for the instructor, names the check."""
    failed: dict[str, CheckResult] = {}
    for result in results:
        if result.status is not CheckStatus.PASSED:  # an error of the check gives no points either
            first = failed.get(result.function)
            if first is None or (first.hidden and not result.hidden):
                failed[result.function] = result
    scored = []
    for result in results:
        first = failed.get(result.function)
        if first is not None and result.status is CheckStatus.PASSED and result.max_points > 0:
            named = result.hidden or not first.hidden  # a visible check never names a hidden one
            result = dataclasses.replace(
                result, points=0.0, status=CheckStatus.FAILED,
                message=(_('no points: {function} failed the check "{check}"') if named
                         else _("no points: {function} failed another of its checks")).format(
                    function=result.function, check=first.name),
                detail=_('passed, but {function} failed the check "{check}"').format(
                    function=result.function, check=first.name))
        scored.append(result)
    return scored


def _forget_same_name(checks: Path) -> None:
    """Drop any checks module of the same file name loaded before (another course's, a kit's):
    pytest's importlib mode returns a module it finds in sys.modules under the name it derives
    from the file name, so a second course's `04_softmax_regression.py` would silently run the
    first one's checks (tests/instructor/test_student_kit.py notices, after the course's own)."""
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None)
        if name.rpartition(".")[2] == checks.stem and file and Path(file).name == checks.name:
            del sys.modules[name]


def _forget_module(checks: Path) -> None:
    """Drop a checks module that failed to load: pytest keeps it in sys.modules, and would find
    it there, half-run, the next time this process runs the same file."""
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None)
        if file and Path(file).resolve() == checks.resolve():
            del sys.modules[name]


def _load_problem(error: BaseException, checks: Path) -> tuple[int, str]:
    """(line, what) for an error raised while pytest imported the checks file.

    pytest wraps a SyntaxError or ImportError in its CollectError, raised `from` the original;
    the chain is followed rather than pytest's text parsed (tests/checking/test_plugin.py
    notices if the wrapping changes: the line would be lost)."""
    chain = [error]
    while chain[-1].__cause__ is not None or chain[-1].__context__ is not None:
        chain.append(chain[-1].__cause__ or chain[-1].__context__)
    for cause in chain:
        if isinstance(cause, SyntaxError):
            return cause.lineno or 0, f"cannot be loaded: {cause.msg}"
    original = next((cause for cause in chain if not isinstance(cause, pytest.Collector.CollectError)), error)
    text = str(original).strip().splitlines()[0] if str(original).strip() else "it raised an error"
    line = 0
    for frame in traceback.extract_tb(original.__traceback__):
        if Path(frame.filename).resolve() == checks.resolve():
            line = frame.lineno or 0
    return line, f"cannot be loaded: {text}"
