"""Forbidden built-ins found however they are reached: the notebook's text read in the grading
process (`source_facts`), and the kernel-side helper `torch_calls` run here in-process on
functions of this file, with a fake student whose `define` hands the helper back unchanged, as
the kernel would run it (or a forged one, as a notebook could make it)."""

from __future__ import annotations

import functools
import inspect

import pytest
import torch
import torch.nn.functional as F

from grader.check_tools import CheckFailed, autograd_uses, builtin_uses
from grader.in_sandbox.helpers import torch_calls

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
    exec("def softmax(X):\n    return torch.softmax(X, 1)", namespace)  # the point of the test
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
    """`source`: the notebook's text; `forged`: what the kernel's helper answers instead of
    running (a notebook can replace any code in its kernel)."""

    def __init__(self, source="", forged=None, **functions):
        self.source = source
        self.forged = forged
        self.__dict__.update(functions)

    def define(self, function):
        return function if self.forged is None else (lambda *args: self.forged)


THIS_FILE = "\n\n".join(["import torch\nimport torch.nn.functional as F", *map(inspect.getsource, (
    own_softmax, reversed_name, uses_own_helper, by_hand)), "ALIASES = {'n': F.nll_loss}", inspect.getsource(dict_alias)])


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


def test_builtin_uses_judges_the_notebooks_text_and_what_runs():
    X = [torch.randn(2, 3)]
    student = FakeStudent(THIS_FILE, own_softmax=own_softmax, reversed_name=reversed_name,
                          uses_own_helper=uses_own_helper, dict_alias=dict_alias)
    assert builtin_uses(student, "own_softmax", SOFTMAX, X, nodes=NODES) == []
    assert builtin_uses(student, "uses_own_helper", SOFTMAX, X, nodes=NODES) == []  # its own helper is no alarm
    assert any("nll_loss" in use for use in builtin_uses(student, "dict_alias", SOFTMAX,
                                                        [torch.rand(2, 3), torch.tensor([0, 1])]))
    with pytest.raises(CheckFailed, match="getattr with a computed name"):  # nothing found, nothing shown
        builtin_uses(FakeStudent(THIS_FILE, forged={"calls": [], "history": []}, reversed_name=reversed_name),
                     "reversed_name", SOFTMAX, X, nodes=NODES)
    found = builtin_uses(student, "reversed_name", SOFTMAX, X, nodes=NODES)  # the kernel adds what it saw
    assert "a call of softmax when it runs" in found and "SoftmaxBackward0 in the autograd history of its result" in found


HOOKED = """import torch
import torch.nn.functional as F
from IPython import get_ipython

def softmax(X):
    return torch.softmax(X, dim=1)

def cross_entropy(y_hat, y):
    return F.nll_loss(torch.log(y_hat), y)

def _forge(msg):  # a comm hook that answers for the grader's helpers
    pass

get_ipython().kernel.comm_manager.register_target('x', _forge)
"""


def test_a_kernel_that_forges_the_helpers_answer_clears_nothing():
    forged = {"calls": [], "history": [], "graph_in_result": False, "inputs_touched": False}
    student = FakeStudent(HOOKED, forged=forged, softmax=own_softmax, cross_entropy=own_softmax)
    assert any("torch.softmax" in use for use in builtin_uses(student, "softmax", SOFTMAX, [torch.randn(2, 3)]))
    assert any("nll_loss" in use for use in builtin_uses(student, "cross_entropy", SOFTMAX, [torch.randn(2, 3)]))
    control = FakeStudent(HOOKED.replace("torch.softmax(X, dim=1)", "torch.exp(X) / torch.exp(X).sum(1, keepdim=True)"),
                          forged=forged, softmax=own_softmax)
    with pytest.raises(CheckFailed, match="IPython"):  # a hook in the notebook: its word clears nothing
        builtin_uses(control, "softmax", SOFTMAX, [torch.randn(2, 3)])


def test_an_unreadable_report_of_the_kernel_is_a_use():
    student = FakeStudent(THIS_FILE, forged=[1, 2], by_hand=by_hand)
    args = [torch.randn(3, 4), torch.tensor([0, 1, 0]), torch.randn(5, 4), torch.randn(2, 5), 0.1]
    assert autograd_uses(student, "by_hand", args)


def test_autograd_uses_sees_backward_and_leaves_hand_written_gradients_alone():
    args = [torch.randn(3, 4), torch.tensor([0, 1, 0]), torch.randn(5, 4), torch.randn(2, 5), 0.1]
    student = FakeStudent(auto=by_autograd, hand=by_hand)
    assert "a call of backward when it runs" in autograd_uses(student, "auto", args)
    assert autograd_uses(student, "hand", args) == []
