"""`expect_inputs_unchanged`: the "leaves its input unchanged" check as one call, run here
in-process with a fake student whose `define` hands the kernel-side helper back unchanged."""

from __future__ import annotations

import ast

import pytest
import torch

from conftest import COURSE
from grader.check_tools import CheckFailed, expect_inputs_unchanged
from grader.errors import AuthoringError


class FakeStudent:
    def __init__(self, **functions):
        self.__dict__.update(functions)
        self.defined = []

    def define(self, function):
        self.defined.append(function.__name__)
        return function


def softmax_in_place(X):
    X.exp_()
    return X / X.sum(1, keepdim=True)


def softmax_on_copy(X):
    return X.exp() / X.exp().sum(1, keepdim=True)


def linreg_moving_w(X, w, b):
    w += 1
    return X @ w + b


def appends_to_its_last(X, log):
    log.append("called")
    return X


def test_a_function_that_changes_its_input_fails_naming_the_call_and_the_input():
    student = FakeStudent(softmax=softmax_in_place)
    with pytest.raises(CheckFailed, match=r"^softmax\(X\) changed its input X; work on a copy instead$"):
        expect_inputs_unchanged(student, "softmax", [torch.randn(3, 4)], names=["X"], call="softmax(X)")
    assert student.defined == ["call_with_copies"]


def test_a_function_that_leaves_its_inputs_passes():
    student = FakeStudent(softmax=softmax_on_copy)
    expect_inputs_unchanged(student, "softmax", [torch.randn(3, 4)], names=["X"], call="softmax(X)")


def test_each_named_input_is_compared_and_the_message_names_the_changed_one():
    student = FakeStudent(linreg=linreg_moving_w)
    args = [torch.randn(4, 2), torch.randn(2, 1), torch.randn(1)]
    with pytest.raises(CheckFailed, match=r"^linreg\(X, w, b\) changed its input w;"):
        expect_inputs_unchanged(student, "linreg", args, names=["X", "w", "b"], call="linreg(X, w, b)")


def test_arguments_past_the_names_are_not_compared():
    student = FakeStudent(f=appends_to_its_last)
    expect_inputs_unchanged(student, "f", [torch.randn(2), []], names=["X"], call="f(X, log)")
    with pytest.raises(CheckFailed, match="changed its input log"):
        expect_inputs_unchanged(student, "f", [torch.randn(2), []], names=["X", "log"], call="f(X, log)")


def test_wrap_makes_the_call():
    calls = []

    def wrap(copies, function, args):
        calls.append(function)
        return copies(function, args)

    student = FakeStudent(softmax=softmax_in_place)
    with pytest.raises(CheckFailed):
        expect_inputs_unchanged(student, "softmax", [torch.randn(2, 3)], names=["X"], call="softmax(X)", wrap=wrap)
    assert calls == [softmax_in_place]


def test_more_names_than_arguments_is_the_authors_mistake():
    with pytest.raises(AuthoringError, match=r"2 names for 1 arguments"):
        expect_inputs_unchanged(FakeStudent(g=softmax_on_copy), "g", [torch.randn(2)], names=["X", "Y"], call="g(X)")


def test_every_unchanged_check_of_the_course_is_the_one_call():
    """A checks file says what is asked: each "leaves its input(s) unchanged" check calls
    expect_inputs_unchanged, and no check spells the copy-and-compare out again."""
    found = 0
    for path in sorted((COURSE / "checks").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if not isinstance(node, ast.FunctionDef):
                continue
            names = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
            assert not names & {"call_with_copies", "expect_unchanged"}, f"{path.name}: {node.name}"
            if any("unchanged" in ast.unparse(decorator) for decorator in node.decorator_list):
                assert "expect_inputs_unchanged" in names, f"{path.name}: {node.name}"
                found += 1
    assert found >= 10
