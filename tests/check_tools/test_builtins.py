"""Forbidden built-ins found however they are reached: the kernel-side helpers (`source_of`,
`torch_calls`) run here in-process on functions of this file, with a fake student whose
`define` hands the helper back unchanged, as the kernel would run it."""

from __future__ import annotations

import functools
import types

import torch
import torch.nn.functional as F

from grader.check_tools import autograd_uses, builtin_uses
from grader.in_sandbox.helpers import source_of, torch_calls

SOFTMAX = {"softmax", "log_softmax", "cross_entropy", "nll_loss"}
NODES = {"SoftmaxBackward0", "LogSoftmaxBackward0", "NllLossBackward0"}


def own_softmax(X):
    E = torch.exp(X - X.max(dim=1, keepdim=True).values)
    return E / E.sum(dim=1, keepdim=True)


def reversed_name(X):
    return getattr(torch, "xamtfos"[::-1])(X, 1)


ALIASES = {"n": F.nll_loss}


def dict_alias(y_hat, y):
    return ALIASES["n"](torch.log(y_hat), y)


def hidden_in_exec():
    namespace = {"torch": torch}
    exec("def softmax(X):\n    return torch.softmax(X, 1)", namespace)  # noqa: S102 - the point of the test
    return namespace["softmax"]


def uses_own_helper(X):
    return own_softmax(X)


def by_autograd(X, y, W1, W2, lambd):
    W1 = W1.clone().requires_grad_(True)
    (X @ W1.T).sum().backward()
    return W1.grad, W2


def by_hand(X, y, W1, W2, lambd):
    return X.T @ X, W2 * 2


class FakeStudent:
    source = ""

    def __init__(self, **functions):
        self.__dict__.update(functions)

    def define(self, function):
        return function


def test_names_of_torch_calls_are_seen_however_the_function_is_reached():
    X = torch.randn(2, 3)
    assert "softmax" in torch_calls(reversed_name, X)["calls"]
    assert "softmax" in torch_calls(hidden_in_exec(), X)["calls"]
    assert "softmax" in torch_calls(functools.partial(getattr(torch, "soft" + "max"), dim=1), X)["calls"]
    assert "nll_loss" in torch_calls(dict_alias, torch.rand(2, 3), torch.tensor([0, 1]))["calls"]
    assert not SOFTMAX & set(torch_calls(own_softmax, X)["calls"])


def test_the_autograd_history_names_the_built_in():
    assert "SoftmaxBackward0" in torch_calls(reversed_name, torch.randn(2, 3))["history"]
    assert not NODES & set(torch_calls(own_softmax, torch.randn(2, 3))["history"])


def test_source_of_follows_the_notebooks_own_helpers():
    found = source_of(uses_own_helper)
    assert found["source"].startswith("def uses_own_helper") and "own_softmax" in found["helpers"]
    assert source_of(hidden_in_exec())["source"] is None  # made by exec: no source to read


def test_builtin_uses_judges_on_plain_strings():
    X = [torch.randn(2, 3)]
    student = FakeStudent(softmax=own_softmax, reversed=reversed_name, helper=uses_own_helper,
                          alias=functools.partial(torch.softmax, dim=1))
    assert builtin_uses(student, "softmax", SOFTMAX, X, nodes=NODES) == []
    assert builtin_uses(student, "helper", SOFTMAX, X, nodes=NODES) == []  # its own helper is no alarm
    found = builtin_uses(student, "reversed", SOFTMAX, X, nodes=NODES)
    assert "a call of softmax when it runs" in found and "SoftmaxBackward0 in the autograd history of its result" in found
    assert builtin_uses(student, "alias", SOFTMAX, X, nodes=NODES)


def test_autograd_uses_sees_backward_and_leaves_hand_written_gradients_alone():
    args = [torch.randn(3, 4), torch.tensor([0, 1, 0]), torch.randn(5, 4), torch.randn(2, 5), 0.1]
    student = FakeStudent(auto=by_autograd, hand=by_hand)
    assert "a call of backward when it runs" in autograd_uses(student, "auto", args)
    assert autograd_uses(student, "hand", args) == []


def test_a_module_object_is_judged_by_its_module():
    assert isinstance(source_of(F.softmax)["module"], str) and source_of(F.softmax)["module"].startswith("torch")
    assert types.FunctionType  # the helpers take plain functions, classes and torch callables
