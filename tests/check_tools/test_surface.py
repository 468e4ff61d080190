"""The public surface for check authors: one import, a sorted `__all__`, and the checks use it."""

from __future__ import annotations

import ast
import sys

import pytest

import grader.check_tools as check_tools
from conftest import COURSE

EXPECTED = {
    "CheckFailed", "ForbiddenUse", "StudentRaised", "call_with_copies", "describe", "diagnosis", "expect",
    "expect_close", "expect_inputs_unchanged", "expect_unchanged", "fail", "forbidden_uses", "train_classifier", "with_names",
    "autograd_uses", "builtin_uses", "expect_no_builtin", "expect_own_parameters", "float_tolerance", "in_float64", "mistake",
    "mistake_answers", "naming_errors", "parameters_report", "seeded",
    "N_", "_",  # messages in the student's language (docs/translating.md)
}


def test_all_is_sorted_complete_and_importable():
    assert check_tools.__all__ == sorted(check_tools.__all__)
    assert set(check_tools.__all__) == EXPECTED
    assert all(getattr(check_tools, name) is not None for name in check_tools.__all__)


def test_the_course_checks_import_the_grader_only_through_check_tools():
    for path in sorted((COURSE / "checks").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("grader"):
                assert node.module == "grader.check_tools", f"{path.name}:{node.lineno} imports {node.module}"
                assert {alias.name for alias in node.names} <= EXPECTED
            if isinstance(node, ast.Import):
                assert not any(alias.name.startswith("grader") for alias in node.names), path.name


def test_a_name_that_moved_to_the_course_still_imports_where_the_course_is_and_says_where_otherwise(monkeypatch):
    from d2l_course import in_kernel, models

    assert check_tools.with_grader_softmax is in_kernel.with_grader_softmax
    assert check_tools.SOFTMAX_REGRESSION is models.SOFTMAX_REGRESSION
    assert set(check_tools.MOVED).isdisjoint(check_tools.__all__)
    monkeypatch.setitem(sys.modules, "d2l_course.models", None)  # a grader installed without the course
    with pytest.raises(ImportError, match=r"^classifier_accuracy is the D2L course's now.*"
                                          r"`from d2l_course.models import classifier_accuracy`"):
        exec("from grader.check_tools import classifier_accuracy", {})  # the checks' own import
    with pytest.raises(AttributeError):
        check_tools.no_such_tool  # noqa: B018
