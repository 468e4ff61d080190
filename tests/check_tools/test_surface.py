"""The public surface for check authors: one import, a sorted `__all__`, and the checks use it."""

from __future__ import annotations

import ast

import grader.check_tools as check_tools
from conftest import COURSE

EXPECTED = {
    "CheckFailed", "ForbiddenUse", "StudentRaised", "call_with_copies", "classifier_accuracy", "describe", "diagnosis", "expect", "expect_close",
    "expect_unchanged", "fail", "forbidden_uses", "regression_error", "synthetic_regression_data",
    "train_classifier", "train_linear_regression", "with_grader_names", "with_grader_relu",
    "with_grader_softmax", "MLP", "SOFTMAX_REGRESSION", "autograd_uses", "builtin_uses", "expect_no_builtin",
    "float_tolerance", "in_float64", "mistake", "mistake_answers", "naming_errors", "parameters_report", "train_grader_softmax_regression",
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
