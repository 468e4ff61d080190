"""forbidden_uses: what the static scan of a student's function sees, and what it leaves alone."""

from __future__ import annotations

import textwrap

import pytest

from grader.check_tools import ForbiddenUse, forbidden_uses

SOFTMAX = {"softmax", "log_softmax", "cross_entropy"}


def uses(source: str, function: str = "softmax", forbidden: set[str] = SOFTMAX) -> list[tuple[str, str]]:
    return [(use.name, use.function) for use in forbidden_uses(textwrap.dedent(source), function, forbidden)]


def test_a_direct_call_names_the_api_the_function_and_the_line():
    found = forbidden_uses("import torch\n\ndef softmax(X):\n    return torch.softmax(X, dim=1)\n",
                           "softmax", SOFTMAX)
    assert found == [ForbiddenUse("torch.softmax", "softmax", 4)]


@pytest.mark.parametrize("source, name", [
    ("def softmax(X):\n    return X.softmax(dim=1)\n", "X.softmax"),
    ("import torch.nn.functional as F\ndef softmax(X):\n    return F.softmax(X, 1)\n", "F.softmax"),
    ("import torch\ndef softmax(X):\n    return torch.nn.functional.softmax(X, 1)\n", "torch.nn.functional.softmax"),
])
def test_attribute_uses_under_any_module_name(source, name):
    assert uses(source) == [(name, "softmax")]


def test_a_name_imported_under_another_name():
    source = """
        from torch.nn.functional import softmax as sm
        def softmax(X):
            return sm(X, 1)
    """
    assert uses(source) == [("sm", "softmax")]


@pytest.mark.parametrize("binding", ["sm = torch.softmax", "relu, sm = torch.relu, F.softmax"])
def test_a_name_bound_to_the_api_by_assignment(binding):
    source = f"""
        import torch
        import torch.nn.functional as F
        {binding}
        def softmax(X):
            return sm(X, 1)
    """
    assert uses(source) == [("sm", "softmax")]


def test_helpers_the_function_calls_are_followed():
    source = """
        import torch
        def exponentiate(X):
            return torch.log_softmax(X, 1).exp()
        def normalise(X):
            return exponentiate(X)
        def softmax(X):
            return normalise(X)
    """
    assert uses(source) == [("torch.log_softmax", "exponentiate")]


def test_recursion_and_mutual_calls_end():
    source = """
        def softmax(X, depth=0):
            return X if depth else other(X)
        def other(X):
            return softmax(X, 1)
    """
    assert uses(source) == []


def test_the_functions_own_names_shadow_the_top_level():
    source = """
        import torch
        sm = torch.softmax
        def exponentiate(X):
            return torch.softmax(X, 1)
        def softmax(X, exponentiate=None):
            sm = lambda Z: Z.exp() / Z.exp().sum(1, keepdim=True)
            return sm(X)
    """
    assert uses(source) == []


def test_a_lambda_or_an_alias_bound_to_the_functions_name():
    assert uses("import torch\nsoftmax = lambda X: torch.softmax(X, 1)\n") == [("torch.softmax", "softmax")]
    assert uses("import torch\nsoftmax = torch.softmax\n") == [("torch.softmax", "softmax")]
    assert uses("from torch import softmax\n") == [("softmax", "softmax")]


def test_the_last_top_level_binding_is_the_one_judged():
    source = """
        import torch
        def softmax(X):
            return torch.softmax(X, 1)
        def softmax(X):
            X_exp = torch.exp(X)
            return X_exp / X_exp.sum(1, keepdim=True)
    """
    assert uses(source) == []


def test_names_spelled_in_strings():
    source = """
        import torch
        def softmax(X):
            return getattr(torch, "softmax")(X, 1)
    """
    assert uses(source) == [("'softmax'", "softmax")]


def test_notebook_magics_and_a_broken_cell_do_not_hide_the_rest():
    source = "%matplotlib inline\nimport torch\n\ndef broken(:\n\n\ndef softmax(X):\n    return torch.softmax(X, 1)\n"
    assert uses(source) == [("torch.softmax", "softmax")]


@pytest.mark.parametrize("source", [
    """
    import torch
    def softmax(X):
        X_exp = torch.exp(X - X.max(dim=1, keepdim=True).values)
        return X_exp / X_exp.sum(dim=1, keepdim=True)
    def cross_entropy(y_hat, y):
        return -torch.log(y_hat[range(len(y_hat)), y]).mean()
    """,
    """
    import torch
    def softmax(X):
        return X.exp() / X.exp().sum(1, keepdim=True)
    def unrelated(X):
        return torch.softmax(X, 1)  # not called by softmax
    softmax_label = "softmax"
    """,
    "def other(X):\n    return X\n",  # no such function: nothing to find
])
def test_no_false_alarm_on_clean_code(source):
    assert uses(source) == []
