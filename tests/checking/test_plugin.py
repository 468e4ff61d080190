"""The pytest plugin, black-box: check files run against a fake student (no kernel needed)."""

from __future__ import annotations

import types

import pytest

from grader.checking.plugin import GradingPlugin, run_checks
from grader.checking.verdicts import StudentRaised
from grader.errors import AuthoringError
from grader.results import CheckStatus

CHECKS = '''
import time
import pytest
import torch
from grader.check_tools import expect_close

@pytest.mark.check("double: matches the reference", points=2)
def test_values(student, reference):
    X = torch.arange(4.0)
    expect_close(student.double(X), reference.double(X), call="double(X) with X = torch.arange(4.0)")

@pytest.mark.check("double: secret cases", points=3, hidden=True)
def test_hidden(student, reference):
    X = torch.tensor([-1.0, 5.0])
    expect_close(student.double(X), reference.double(X), call="double(X) with X = [-1, 5]")

@pytest.mark.check("crash: is reported as the student's error")
def test_crash(student):
    student.crash()

@pytest.mark.check("seeded: every check starts from the same seed")
def test_seed(student):
    first = torch.rand(3)
    torch.manual_seed(0)
    assert torch.equal(first, torch.rand(3)), "not seeded with 0"

@pytest.mark.check("broken: a check that itself fails to run")
def test_broken(student):
    raise KeyError("oops")
'''


class FakeStudent:
    """Stands in for the kernel: what a student's functions would return."""

    def __init__(self, double):
        self._double = double
        self.deadline = None
        self.seeds = []

    def double(self, X):
        return self._double(X)

    def crash(self):
        raise StudentRaised("crash()", "ZeroDivisionError", "division by zero")

    def seed(self, seed):
        self.seeds.append(seed)


@pytest.fixture
def check_file(tmp_path):
    path = tmp_path / "checks_demo.py"
    path.write_text(CHECKS)
    return path


def run(check_file, double, **kwargs):
    reference = types.SimpleNamespace(double=lambda X: 2 * X)
    student = FakeStudent(double)
    plugin = GradingPlugin(student, reference, **kwargs)
    return {r.name: r for r in run_checks(check_file, plugin)}, student


def test_right_answers_pass_with_their_points(check_file):
    results, student = run(check_file, lambda X: X * 2)
    assert results["double: matches the reference"].points == 2
    assert results["double: secret cases"].points == 3
    assert student.seeds == [0] * 5


def test_wrong_answer_message_names_the_call_and_hides_hidden_inputs(check_file):
    results, _ = run(check_file, lambda X: X + X.abs())
    public, hidden = results["double: matches the reference"], results["double: secret cases"]
    assert public.points == 0 and public.detail.startswith("passed, but")  # right on arange(4); the rule
    assert hidden.status is CheckStatus.FAILED and hidden.points == 0
    assert hidden.message == "hidden check: wrong answer"
    assert "double(X) with X = [-1, 5]" in hidden.detail and "largest difference" in hidden.detail


def test_student_errors_fail_and_check_bugs_are_errors(check_file):
    results, _ = run(check_file, lambda X: 2 * X)
    assert results["crash: is reported as the student's error"].status is CheckStatus.FAILED
    assert "ZeroDivisionError" in results["crash: is reported as the student's error"].message
    broken = results["broken: a check that itself fails to run"]
    assert broken.status is CheckStatus.ERROR and "KeyError" in broken.detail
    assert results["seeded: every check starts from the same seed"].status is CheckStatus.PASSED


def test_public_only_leaves_out_hidden_checks(check_file):
    results, _ = run(check_file, lambda X: 2 * X, public_only=True)
    assert "double: secret cases" not in results and "double: matches the reference" in results


def test_check_without_marker_is_refused(tmp_path):
    path = tmp_path / "checks_bad.py"
    path.write_text("import pytest\n\n\ndef test_unmarked(student):\n    pass\n")
    with pytest.raises(AuthoringError) as error:
        run(path, lambda X: X)
    assert str(error.value) == "checks_bad.py: line 4: test_unmarked has no @pytest.mark.check(name, points=…)"


@pytest.mark.parametrize("text, line, problem", [
    ("import pytest\n\n@pytest.mark.check('x')\ndef test_x(student:\n    pass\n", 4, "cannot be loaded: "),
    ("import pytest\nimport no_such_module_here\n", 2, "cannot be loaded: No module named 'no_such_module_here'"),
    ("import pytest\n\nPOINTS = undefined_name\n", 3, "cannot be loaded: name 'undefined_name' is not defined"),
    ("import pytest\n", 1, "no checks found"),
])
def test_a_checks_file_that_cannot_run_is_an_authoring_error_naming_file_and_line(tmp_path, text, line, problem):
    path = tmp_path / "checks_broken.py"
    path.write_text(text)
    with pytest.raises(AuthoringError) as error:
        run(path, lambda X: X)
    assert error.value.path == "checks_broken.py" and error.value.line == line
    assert str(error.value).startswith(f"checks_broken.py: line {line}: {problem}")
    assert str(tmp_path) not in str(error.value) and "\n" not in str(error.value)


def test_public_only_with_every_check_hidden_gives_no_results(tmp_path):
    path = tmp_path / "checks_hidden.py"
    path.write_text("import pytest\n\n@pytest.mark.check('x: hidden', hidden=True)\ndef test_x(student):\n    pass\n")
    results, _ = run(path, lambda X: X, public_only=True)
    assert results == {}


def test_no_kernel_means_every_check_fails_with_the_reason(check_file):
    reference = types.SimpleNamespace(double=lambda X: 2 * X)
    plugin = GradingPlugin(None, reference, unavailable="not JSON")
    results = run_checks(check_file, plugin)
    student_checks = [r for r in results if not r.name.startswith("broken")]
    assert all(r.status is CheckStatus.FAILED and "not JSON" in r.message for r in student_checks)


SCORED_CHECKS = '''
import pytest
import torch
from grader.check_tools import expect, expect_close

@pytest.mark.check("double: small inputs", points=2)
def test_small(student):
    expect_close(student.double(torch.arange(3.0)), torch.arange(3.0) * 2, call="double(X)", ops=0)

@pytest.mark.check("double: negative inputs", points=1, hidden=True)
def test_negative(student):
    expect_close(student.double(-torch.arange(3.0)), -torch.arange(3.0) * 2, call="double(-X)", ops=0)

@pytest.mark.check("double: leaves its input unchanged", condition=True)
def test_unchanged(student):
    expect(student.kept(), "double changed its input")

@pytest.mark.check("other: works", points=3)
def test_other(student):
    pass
'''


class ScoredStudent(FakeStudent):
    def __init__(self, double, kept=True):
        super().__init__(double)
        self._kept = kept

    def kept(self):
        return self._kept


def run_scored(tmp_path, double, kept=True, **kwargs):
    path = tmp_path / "checks_scored.py"
    path.write_text(SCORED_CHECKS)
    plugin = GradingPlugin(ScoredStudent(double, kept), types.SimpleNamespace(), **kwargs)
    return {r.name: r for r in run_checks(path, plugin)}, plugin


def test_a_condition_holds_no_points_and_a_correct_function_earns_all(tmp_path):
    results, _ = run_scored(tmp_path, lambda X: 2 * X)
    assert results["double: leaves its input unchanged"].max_points == 0
    assert sum(r.points for r in results.values()) == sum(r.max_points for r in results.values()) == 6


def test_a_failed_condition_costs_the_function_its_points_only(tmp_path):
    results, _ = run_scored(tmp_path, lambda X: 2 * X, kept=False)
    condition = results["double: leaves its input unchanged"]
    assert condition.status is CheckStatus.FAILED and condition.message == "double changed its input"
    small = results["double: small inputs"]
    assert small.points == 0 and small.status is CheckStatus.FAILED
    assert small.message == 'no points: double failed the check "double: leaves its input unchanged"'
    assert results["other: works"].points == 3


def test_a_wrong_answer_anywhere_costs_the_whole_function(tmp_path):
    results, _ = run_scored(tmp_path, lambda X: X.abs() * 2)  # right on arange, wrong on negatives
    assert results["double: negative inputs"].status is CheckStatus.FAILED
    assert results["double: small inputs"].points == 0
    assert results["double: small inputs"].detail.startswith("passed, but double failed")
    assert results["other: works"].points == 3


def test_a_condition_alone_earns_nothing(tmp_path):
    results, _ = run_scored(tmp_path, lambda X: X)  # wrong, but leaves its input alone
    assert results["double: leaves its input unchanged"].points == 0
    # and it still says that it holds: a student is not told that their function changes its input
    assert results["double: leaves its input unchanged"].status is CheckStatus.PASSED
    assert sum(r.points for r in results.values() if r.function == "double") == 0


def test_public_only_counts_the_points_of_the_hidden_checks(tmp_path):
    results, plugin = run_scored(tmp_path, lambda X: 2 * X, public_only=True)
    assert "double: negative inputs" not in results and plugin.hidden_points == 1


def test_two_courses_checks_files_of_one_name_each_run_their_own(tmp_path):
    """pytest's importlib mode finds a module by the name it derives from the file name: the
    second course's file of the same name must not run the first one's checks."""
    first, second = tmp_path / "a" / "checks_same.py", tmp_path / "b" / "checks_same.py"
    for path, name in ((first, "x: first"), (second, "x: second")):
        path.parent.mkdir()
        path.write_text(f"import pytest\n\n@pytest.mark.check('{name}')\ndef test_x(student):\n    pass\n")
    assert list(run(first, lambda X: X)[0]) == ["x: first"]
    assert list(run(second, lambda X: X)[0]) == ["x: second"]


class ReportKeeper(GradingPlugin):
    """The plugin, keeping pytest's failure reports (which the grader itself never reads)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reports = []

    def pytest_runtest_logreport(self, report):
        if report.failed:
            self.reports.append(report)


def test_failure_reports_are_made_in_the_cheap_native_style(tmp_path):
    path = tmp_path / "checks_scored.py"
    path.write_text(SCORED_CHECKS)
    keeper = ReportKeeper(ScoredStudent(lambda X: X), types.SimpleNamespace())
    run_checks(path, keeper)
    assert keeper.reports and all(r.longrepr.reprtraceback.style == "native" for r in keeper.reports)
