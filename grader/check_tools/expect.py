"""Assertions for check authors, with messages a student can act on.

Each failure says what was called, what kind of value was expected and what came back
(type, shape, dtype) and, for numbers, the largest difference and where; never the expected
values themselves. Everything here runs in the grading process on decoded plain data.

The tolerance rule, one for every check of a floating-point result (`float_tolerance`): the
reference is computed in float64 (`in_float64`), and the student's answer, in the dtype of the
inputs, may differ from it by

    ops × eps(dtype) × (M + tiny(dtype)),    M = max(largest |exact| entry, largest |like| entry)

with eps the machine epsilon (float32: 2**-23 ≈ 1.19e-7; float64: 2**-52 ≈ 2.2e-16), `ops` a
small count of roundings times the operation's conditioning, chosen per check (0: the operation
is exact, as relu or selection), and M the magnitude against which rounding errors are made: the
result's own (a normwise bound, as for sums and products), or the inputs' where the operation
subtracts terms of that size (softmax shifts logits by their maximum: at logits near 1000 float32
has a spacing of 6e-5, so M is 1000 and not 1). tiny(dtype) is the smallest normal number
(float32: 1.2e-38): below it, numbers are subnormal and their spacing no longer shrinks.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, NoReturn

import numpy as np
import pandas as pd
import torch

from grader.checking.describe import describe
from grader.checking.verdicts import CheckFailed, StudentRaised
from grader.i18n import _


def fail(message: str) -> NoReturn:
    """End the check: the answer is wrong, and `message` tells the student how."""
    raise CheckFailed(message)


def expect(condition: object, message: str) -> None:
    """`condition` holds, else the check fails with `message`."""
    if not condition:
        raise CheckFailed(message)


EPSILON = {torch.float16: 2.0 ** -10, torch.bfloat16: 2.0 ** -7, torch.float32: 2.0 ** -23,
           torch.float64: 2.0 ** -52}


def _largest(value: Any) -> float:
    if isinstance(value, (pd.Series, pd.DataFrame)):
        value = value.select_dtypes("number") if isinstance(value, pd.DataFrame) else value
        value = torch.tensor(np.asarray(value, dtype=float))
    if isinstance(value, (list, tuple)):
        return max((_largest(v) for v in value), default=0.0)
    if isinstance(value, (int, float, np.ndarray, np.generic)):
        value = torch.tensor(np.asarray(value, dtype=float))
    if not isinstance(value, torch.Tensor) or value.numel() == 0:
        return 0.0
    finite = value.detach().double().abs()
    finite = finite[torch.isfinite(finite)]
    return float(finite.max()) if finite.numel() else 0.0


def float_tolerance(exact: Any, dtype: torch.dtype, ops: float, like: Any = ()) -> float:
    """The absolute tolerance of the rule in this module's docstring:
    ops × eps(dtype) × (max(largest |exact| entry, largest |like| entry) + tiny(dtype))."""
    precision = dtype if dtype in EPSILON else torch.float64
    tiny = torch.finfo(precision).smallest_normal
    return ops * EPSILON[precision] * (max(_largest(exact), _largest(like)) + tiny)


def in_float64(function: Any, *args: Any, **kwargs: Any) -> Any:
    """function(*args, **kwargs) with every floating tensor argument cast to float64: the exact
    answer that a float32 (or float64) answer is compared with."""
    def widen(value: Any) -> Any:
        if isinstance(value, torch.Tensor) and value.is_floating_point():
            return value.detach().to(torch.float64)
        return value
    return function(*map(widen, args), **{k: widen(v) for k, v in kwargs.items()})


def expect_close(got: Any, expected: Any, *, call: str, rtol: float = 1e-5, atol: float = 1e-6,
                 check_dtype: bool = True, ops: float | None = None, like: Any = (),
                 dtype: torch.dtype | None = None, mistakes: Mapping[str, Any] | None = None) -> None:
    """`got` equals `expected` within tolerances, with the same type, shape (and dtype).

    With `ops`, the tolerance follows the module's rule (`float_tolerance`) for each tensor,
    series or number, and `dtype` (default: `expected`'s) is the dtype `got` must have and whose
    epsilon counts; `rtol` and `atol` are then unused.

    `mistakes` diagnoses: {what to tell the student: the answer that mistake gives on the same
    input}, each answer computed by a variant of the reference (`in_float64(softmax_over_dim_0,
    X)`). When `got` is wrong and matches one of them (with the tolerance it would have as the
    right answer; dtype not judged), the failure message ends with that sentence. The first
    match wins: list the more specific mistakes first."""
    try:
        _expect_close(got, expected, call, rtol, atol, check_dtype, ops, like, dtype)
    except CheckFailed as failed:
        says = diagnosis(got, _unlike(expected, mistakes or {}, rtol, atol, ops, like, dtype),
                         rtol=rtol, atol=atol, ops=ops, like=like, dtype=dtype)
        if says is None:
            raise
        raise CheckFailed(f"{failed}. {says}") from None


def diagnosis(got: Any, mistakes: Mapping[str, Any], *, rtol: float = 1e-5, atol: float = 1e-6,
              ops: float | None = None, like: Any = (), dtype: torch.dtype | None = None) -> str | None:
    """The first of `mistakes` ({sentence: that mistake's answer}) whose answer `got` matches."""
    for says, answer in mistakes.items():
        if answer is None:  # a kit's mistake with no recorded answer for this input
            continue
        try:
            _expect_close(got, answer, "", rtol, atol, False, ops, like, dtype)
        except CheckFailed:
            continue
        except (TypeError, ValueError, RuntimeError):  # an answer of another kind than `got`
            continue
        return _(says)
    return None


@contextmanager
def naming_errors(errors: Mapping[str, str], call: str | None = None) -> Iterator[None]:
    """Inside it, an error the student's code raised whose message holds a key of `errors` fails
    the check with that message (saying `call` for the call, when given) and the key's sentence
    ("... a leaf Variable that requires grad ...": "make the update inside torch.no_grad()");
    other errors pass through unchanged."""
    try:
        yield
    except StudentRaised as error:
        says = next((_(sentence) for text, sentence in errors.items() if text in str(error)), None)
        if says is None:
            raise
        text = str(error)
        if call and text.startswith(error.call):
            text = call + text[len(error.call):]
        raise CheckFailed(f"{text.rstrip('.')}. {says}") from None


def _unlike(expected: Any, mistakes: Mapping[str, Any], rtol: float, atol: float, ops: float | None,
            like: Any, dtype: torch.dtype | None) -> dict[str, Any]:
    """The mistakes whose answer on this input is not the right one: a mistake that gives the
    right answer here (the median of a symmetric column is its mean) names nothing."""
    return {says: answer for says, answer in mistakes.items()
            if diagnosis(answer, {says: expected}, rtol=rtol, atol=atol, ops=ops, like=like, dtype=dtype) is None}


def _expect_close(got: Any, expected: Any, call: str, rtol: float, atol: float, check_dtype: bool,
                  ops: float | None, like: Any, dtype: torch.dtype | None) -> None:
    if ops is not None and not isinstance(expected, (tuple, list, pd.DataFrame)):
        precision = dtype or (expected.dtype if isinstance(expected, torch.Tensor) else torch.float64)
        rtol, atol = 0.0, float_tolerance(expected, precision, ops, like)
        ops = None
    if isinstance(expected, torch.Tensor):
        if dtype is not None:
            expect(not (check_dtype and isinstance(got, torch.Tensor) and got.dtype != dtype),
                   _("{call}: expected dtype {expected}, got {got}").format(
                       call=call, expected=str(dtype).removeprefix("torch."),
                       got=_dtype(got) if isinstance(got, torch.Tensor) else describe(got)))
            check_dtype = False
        _expect_tensor(got, expected, call, rtol, atol, check_dtype)
    elif isinstance(expected, np.ndarray):
        expect(isinstance(got, np.ndarray), _expected_got(call, expected, got))
        _expect_tensor(torch.from_numpy(np.array(got)), torch.from_numpy(np.array(expected)),
                       call, rtol, atol, check_dtype)
    elif isinstance(expected, pd.DataFrame):
        if ops is not None:
            rtol, atol = 0.0, float_tolerance(expected, dtype or torch.float64, ops, like)
        _expect_frame(got, expected, call, rtol, atol)
    elif isinstance(expected, pd.Series):
        _expect_series(got, expected, call, rtol, atol)
    elif isinstance(expected, (tuple, list)):
        expect(isinstance(got, (tuple, list)) and len(got) == len(expected),
               _expected_got(call, expected, got))
        for i, (g, e) in enumerate(zip(got, expected)):
            _expect_close(g, e, f"{call}[{i}]", rtol, atol, check_dtype, ops, like, dtype)
    elif isinstance(expected, (bool, str)) or expected is None:
        expect(got == expected and type(got) is type(expected),
               _expected_got(call, expected, got))
    elif isinstance(expected, (int, float)):
        number = _as_number(got)
        expect(number is not None, _("{call}: expected a number, got {got}").format(call=call, got=describe(got)))
        diff = abs(number - expected) if math.isfinite(number) else math.inf
        expect(math.isfinite(number) == math.isfinite(expected) and
               (not math.isfinite(expected) or diff <= atol + rtol * abs(expected)),
               _("{call}: got {number}, which is not the expected number").format(call=call, number=f"{number:.6g}")
               if math.isfinite(number)
               else _("{call}: got {number}, expected a finite number").format(call=call, number=number))
    else:
        raise TypeError(f"expect_close cannot compare {type(expected).__name__}")


def _as_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, torch.Tensor) and value.numel() == 1 and not value.is_complex():
        return float(value.reshape(()).item())
    if isinstance(value, (np.generic, np.ndarray)) and np.size(value) == 1:
        return float(np.asarray(value).reshape(()))
    return None


def _expect_tensor(got: Any, expected: torch.Tensor, call: str, rtol: float, atol: float,
                   check_dtype: bool) -> None:
    expect(isinstance(got, torch.Tensor), _expected_got(call, expected, got))
    expect(tuple(got.shape) == tuple(expected.shape),
           _("{call}: expected shape {expected}, got shape {got}").format(
               call=call, expected=tuple(expected.shape), got=tuple(got.shape)))
    if check_dtype:
        expect(got.dtype == expected.dtype,
               _("{call}: expected dtype {expected}, got {got} (shape is right)").format(
                   call=call, expected=_dtype(expected), got=_dtype(got)))
    if expected.numel() == 0:
        return
    g = got.detach().to(torch.float64 if not got.is_complex() else torch.complex128)
    e = expected.detach().to(g.dtype)
    ok = torch.isclose(g, e, rtol=rtol, atol=atol, equal_nan=True)
    if bool(ok.all()):
        return
    nonfinite = ~torch.isfinite(g) & torch.isfinite(e)
    if bool(nonfinite.any()):
        index = _index(nonfinite.nonzero()[0], got)
        fail(_("{call}: {count} entries are inf or nan where finite values were expected (first at "
               "index {index})").format(call=call, count=int(nonfinite.sum()), index=index))
    diff = torch.where(ok, torch.zeros_like(g.real if g.is_complex() else g), (g - e).abs())
    flat = int(torch.argmax(diff.reshape(-1)))
    index = _index(torch.tensor(np.unravel_index(flat, tuple(got.shape))), got)
    wrong = int((~ok).sum())
    template = (_("{call}: {wrong} of {total} entries differ; the largest difference is {difference} at "
                  "index {index} (tolerance {atol})") if rtol == 0 else
                _("{call}: {wrong} of {total} entries differ; the largest difference is {difference} at "
                  "index {index} (tolerance {atol} + {rtol}×|expected|)"))
    fail(template.format(call=call, wrong=wrong, total=got.numel(), difference=f"{float(diff.reshape(-1)[flat]):.3g}",
                         index=index, atol=f"{atol:.2g}", rtol=f"{rtol:g}"))


def _expected_got(call: str, expected: Any, got: Any) -> str:
    return _("{call}: expected {expected}, got {got}").format(call=call, expected=describe(expected), got=describe(got))


def _index(position: torch.Tensor, like: torch.Tensor) -> str:
    values = [int(v) for v in position.reshape(-1)]
    return str(tuple(values)) if like.dim() != 1 else f"[{values[0]}]"


def _dtype(t: torch.Tensor) -> str:
    return str(t.dtype).removeprefix("torch.")


def _expect_frame(got: Any, expected: pd.DataFrame, call: str, rtol: float, atol: float) -> None:
    expect(isinstance(got, pd.DataFrame), _expected_got(call, expected, got))
    expect(list(got.columns) == list(expected.columns),
           _("{call}: expected columns {expected}, got {got}").format(
               call=call, expected=list(map(str, expected.columns)), got=list(map(str, got.columns))))
    expect(got.shape == expected.shape, _("{call}: expected shape {expected}, got {got}").format(
        call=call, expected=expected.shape, got=got.shape))
    for column in expected.columns:
        _expect_series(got[column], expected[column], _("{call}, column {column}").format(call=call, column=repr(column)),
                       rtol, atol, index=False)


def _expect_series(got: Any, expected: pd.Series, call: str, rtol: float, atol: float,
                   index: bool = True) -> None:
    expect(isinstance(got, pd.Series), _expected_got(call, expected, got))
    expect(len(got) == len(expected), _("{call}: expected {expected} values, got {got}").format(
        call=call, expected=len(expected), got=len(got)))
    if index:
        expect(list(got.index) == list(expected.index),
               _("{call}: expected the index {expected}, got {got}").format(
                   call=call, expected=list(map(str, expected.index)), got=list(map(str, got.index))))
    if pd.api.types.is_numeric_dtype(expected.dtype) and not pd.api.types.is_bool_dtype(expected.dtype):
        expect(pd.api.types.is_numeric_dtype(got.dtype) and not pd.api.types.is_bool_dtype(got.dtype),
               _("{call}: expected numbers, got values of dtype {dtype}").format(call=call, dtype=got.dtype))
        g = torch.tensor(got.to_numpy(dtype=float, na_value=np.nan))
        e = torch.tensor(expected.to_numpy(dtype=float, na_value=np.nan))
        _expect_tensor(g, e, call, rtol, atol, check_dtype=False)
    else:
        same = [(a == b) or (pd.isna(a) and pd.isna(b)) for a, b in zip(got.tolist(), expected.tolist())]
        expect(all(same), _("{call}: {wrong} of {total} values differ (first at position {position})").format(
            call=call, wrong=same.count(False), total=len(same), position=same.index(False) if False in same else 0))


def expect_unchanged(before: Any, after: Any, *, call: str, what: str) -> None:
    """An input the student's function received is the same afterwards."""
    try:
        expect_close(after, before, call=call, rtol=0, atol=0)
    except CheckFailed:
        fail(_("{call} changed its input {what}; work on a copy instead").format(call=call, what=what))
