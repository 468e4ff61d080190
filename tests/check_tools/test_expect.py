"""expect_close and friends: messages name the call, the shape, the dtype and the largest
difference, and never the expected values (a student must not read the answer off a message)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from grader.check_tools import describe, diagnosis, expect, expect_close, expect_unchanged, fail
from grader.checking.verdicts import CheckFailed, Verdict

SECRET = 123.456  # an expected value that must never appear in a message


def message(got, expected, **kwargs) -> str:
    kwargs.setdefault("call", "f(X) with X = torch.ones(3)")
    with pytest.raises(CheckFailed) as failed:
        expect_close(got, expected, **kwargs)
    text = str(failed.value)
    assert "123.4" not in text and "123,4" not in text, text
    return text


def test_a_wrong_entry_gives_the_call_the_count_the_largest_difference_and_where():
    text = message(torch.tensor([1.0, 2.0, SECRET - 0.5]), torch.tensor([1.0, 2.0, SECRET]))
    assert text.startswith("f(X) with X = torch.ones(3): 1 of 3 entries differ")
    assert "the largest difference is 0.5 at index [2]" in text and "tolerance" in text


def test_a_matrix_gives_a_two_dimensional_index():
    expected = torch.full((2, 3), SECRET)
    got = expected.clone()
    got[1, 2] += 2
    assert "the largest difference is 2 at index (1, 2)" in message(got, expected)


def test_shape_dtype_and_type_mismatches_say_what_was_expected_in_form_only():
    expected = torch.full((2, 3), SECRET)
    assert message(torch.zeros(3, 2), expected).endswith("expected shape (2, 3), got shape (3, 2)")
    assert "expected dtype float32, got float64 (shape is right)" in message(
        torch.zeros(2, 3, dtype=torch.float64), expected)
    assert message([0.5], expected).endswith("expected a float32 tensor of shape (2, 3), got a list of 0.5")
    assert message(np.zeros(4), torch.full((4,), SECRET)).endswith(
        "expected a float32 tensor of shape (4,), got a float64 array of shape (4,)")


def test_inf_or_nan_where_finite_values_were_expected():
    text = message(torch.tensor([SECRET, float("nan")]), torch.tensor([SECRET, SECRET]))
    assert "1 entries are inf or nan where finite values were expected (first at index [1])" in text


def test_numbers_say_what_came_back_and_never_how_far_off():
    text = message(SECRET + 1, SECRET)
    assert text.endswith(f"got {SECRET + 1:.6g}, which is not the expected number")
    assert "off by" not in text and f"{SECRET:.6g}" not in text  # a difference would give it away
    assert message(float("inf"), SECRET).endswith("got inf, expected a finite number")
    assert message("a string", SECRET).endswith("expected a number, got a string")


def test_frames_and_series_name_the_column():
    expected = pd.DataFrame({"a": [1.0, SECRET], "b": ["x", "y"]})
    text = message(pd.DataFrame({"a": [1.0, 0.0], "b": ["x", "y"]}), expected)
    assert "column 'a': 1 of 2 entries differ" in text
    assert message(pd.DataFrame({"c": [1.0, 2.0]}), expected).endswith("expected columns ['a', 'b'], got ['c']")
    assert "1 of 2 values differ (first at position 1)" in message(
        pd.Series(["x", "z"]), pd.Series(["x", "y"]))


def test_tuples_name_the_item():
    assert message((torch.zeros(2), 1.0), (torch.zeros(2), SECRET)).startswith("f(X) with X = torch.ones(3)[1]:")


def test_equal_answers_pass_within_the_tolerance():
    expect_close(torch.tensor([1.0, 2.0]), torch.tensor([1.0, 2.0 + 1e-7]), call="f()")
    expect_close(pd.DataFrame({"a": [1, 2]}), pd.DataFrame({"a": [1, 2]}), call="f()")
    expect_close(3, 3.0, call="f()")


def test_expect_unchanged_names_the_input():
    with pytest.raises(CheckFailed, match=r"^relu\(X\) changed its input X; work on a copy instead$"):
        expect_unchanged(torch.ones(2), torch.zeros(2), call="relu(X)", what="X")
    expect_unchanged(torch.ones(2), torch.ones(2), call="relu(X)", what="X")


def test_expect_and_fail_are_verdicts_and_assertions():
    with pytest.raises(CheckFailed, match="^the message$") as failed:
        expect(False, "the message")
    assert isinstance(failed.value, Verdict) and isinstance(failed.value, AssertionError)
    with pytest.raises(CheckFailed, match="^stop$"):
        fail("stop")
    expect(True, "never shown")


def test_describe_gives_form_never_contents():
    assert describe(torch.full((2, 2), SECRET)) == "a float32 tensor of shape (2, 2)"
    assert describe(torch.tensor(SECRET)) == "a 0-dim float32 tensor"
    assert describe(["a", "b", "c", "d"]) == "a list of 4 items" and describe("secret") == "a string"


def test_the_tolerance_rule_is_ops_times_epsilon_times_the_magnitude():
    from grader.check_tools import float_tolerance

    exact = torch.tensor([0.5, -2.0], dtype=torch.float64)
    tiny32 = torch.finfo(torch.float32).smallest_normal
    assert float_tolerance(exact, torch.float32, 8) == 8 * 2.0 ** -23 * (2.0 + tiny32)
    assert float_tolerance(exact, torch.float32, 8, like=torch.tensor([1000.0])) == 8 * 2.0 ** -23 * (1000 + tiny32)
    assert float_tolerance(exact, torch.float64, 1) < 1e-15
    assert float_tolerance(exact, torch.float32, 0) == 0  # exact operations: no tolerance


def test_a_correct_float32_softmax_at_logits_near_1000_passes():
    from grader.check_tools import in_float64

    X = torch.tensor([[1000.0, 0.0, -1000.0], [999.0, 1000.0, 998.0]])

    def reference(X):
        E = torch.exp(X - X.max(dim=1, keepdim=True).values)
        return E / E.sum(dim=1, keepdim=True)

    via_logsumexp = torch.exp(X - torch.logsumexp(X, dim=1, keepdim=True))
    exact = in_float64(reference, X)
    assert exact.dtype == torch.float64
    expect_close(via_logsumexp, exact, call="softmax(X)", dtype=torch.float32, ops=8, like=X)
    with pytest.raises(CheckFailed):  # the wrong axis is still far outside
        expect_close(torch.exp(X - torch.logsumexp(X, dim=0, keepdim=True)), exact, call="softmax(X)",
                     dtype=torch.float32, ops=8, like=X)
    with pytest.raises(CheckFailed, match="dtype"):
        expect_close(exact, exact, call="softmax(X)", dtype=torch.float32, ops=8, like=X)


def test_a_known_mistake_is_named_when_the_answer_matches_it():
    X = torch.tensor([[1.0, 2.0], [3.0, 5.0]])
    right, by_columns = X / X.sum(dim=1, keepdim=True), X / X.sum(dim=0, keepdim=True)
    mistakes = {"your columns sum to one, not your rows": by_columns, "you returned X itself": X}
    with pytest.raises(CheckFailed) as raised:
        expect_close(by_columns, right, call="f(X)", mistakes=mistakes)
    assert str(raised.value).endswith("(tolerance 1e-06 + 1e-05×|expected|). your columns sum to one, not your rows")
    with pytest.raises(CheckFailed) as raised:  # the first that matches wins; dtype is not judged
        expect_close(X.double(), right, call="f(X)", mistakes=mistakes)
    assert str(raised.value).endswith("you returned X itself")
    with pytest.raises(CheckFailed) as raised:  # wrong, and like no known mistake: no diagnosis
        expect_close(X + 1, right, call="f(X)", mistakes=mistakes)
    assert "columns" not in str(raised.value) and "itself" not in str(raised.value)
    expect_close(right.clone(), right, call="f(X)", mistakes=mistakes)  # right: nothing raised


def test_a_mistake_of_another_kind_than_the_answer_is_skipped():
    mistakes = {"a number": 3.0, "a frame": pd.DataFrame({"a": [1.0]}), "the tensor": torch.zeros(2)}
    assert diagnosis(torch.zeros(2), mistakes) == "the tensor"
    assert diagnosis("text", mistakes) is None


def test_a_mistake_that_gives_the_right_answer_on_this_input_names_nothing():
    X = torch.tensor([1.0, 2.0, 3.0])  # symmetric: its median is its mean
    mistakes = {"you filled with the median": X.median().expand(3).clone()}
    with pytest.raises(CheckFailed) as raised:  # right values, wrong dtype: not the median's fault
        expect_close(X.mean().expand(3).double(), X.mean().expand(3).clone(), call="f(X)", mistakes=mistakes)
    assert "median" not in str(raised.value)


def test_a_number_where_a_tensor_of_some_dtype_was_expected_is_described():
    assert message(2.5, torch.tensor(SECRET), dtype=torch.float32).endswith(
        "expected a 0-dim float32 tensor, got 2.5")  # no AttributeError on the float's dtype
