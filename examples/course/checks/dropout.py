"""Checks for dropout (D2L 5.6), the worked example of docs/authoring.md. Judged in the grading
process.

`dropout_layer` is random, so no check compares its output with the reference's: the two draw
different masks. The checks judge what holds for every mask (each entry is zero or X / (1 - p);
p = 0 and p = 1 are exact) and, over many entries, what holds on average: the fraction of zeros
is near p and the mean of the input is kept, each within five standard deviations of the
binomial spread. A right answer fails such a check with probability below one in a million; the
usual wrong answers miss by far more (no rescaling: 120 standard deviations; the mask inverted:
840; one mask shared by every row: a spread across rows of 0 where 0.029 is expected).
`grade-admin validate dropout` grades the solution with several seeds to show it.

Scoring is by function (grader.checking.plugin): dropout_layer earns its 9 points only when all
its checks pass; the two conditions (its input unchanged, no built-in dropout) hold no points of
their own, but failing one costs the function's points.
"""

import math

import pytest
import torch

from grader.check_tools import (
    call_with_copies,
    describe,
    expect,
    expect_close,
    expect_no_builtin,
    expect_unchanged,
)

SPREAD = 5  # standard deviations a statistic may stray from its expected value
DROPOUT_BUILTINS = {"dropout", "Dropout", "dropout1d", "dropout2d", "dropout3d", "Dropout1d", "Dropout2d",
                    "Dropout3d", "alpha_dropout", "feature_alpha_dropout", "AlphaDropout",
                    "FeatureAlphaDropout", "native_dropout"}


def own_generator():
    """A generator for the checks' random inputs. The plugin seeds torch here and in the kernel
    with the same seed, so `torch.rand` here would draw the very numbers that the student's
    `torch.rand` draws there: X would be correlated with the mask (the kept entries the larger
    ones), and the mean of the result too large. Seeded from the check's seed (torch's initial
    seed), so `grade-admin validate --seeds N` still varies it."""
    return torch.Generator().manual_seed(torch.initial_seed() + 1)


def expect_tensor_like(got, X, call):
    expect(isinstance(got, torch.Tensor) and tuple(got.shape) == tuple(X.shape) and got.dtype == X.dtype,
           f"{call} should return a tensor of the shape and dtype of X, {describe(X)}; got {describe(got)}")


@pytest.mark.check("dropout_layer: keeps the shape and dtype; each entry is zero or X / (1 - dropout)", points=2)
def test_dropout_entries(student):
    draw = own_generator()
    cases = [(0.5, torch.rand(30, 40, generator=draw) + 0.5, "X = torch.rand(30, 40) + 0.5"),
             (0.2, torch.randn(4, 5, 6, dtype=torch.float64, generator=draw),
              "X = torch.randn(4, 5, 6, dtype=torch.float64)"),
             (0.7, torch.randn(50, generator=draw), "X = torch.randn(50)")]
    for dropout, X, text in cases:
        call = f"dropout_layer(X, {dropout}) with {text}"
        out = student.dropout_layer(X, dropout)
        expect_tensor_like(out, X, call)
        kept = out != 0
        # the tolerance rule of grader.check_tools.expect: a float64 reference, a few roundings
        expect_close(out[kept], X[kept].double() / (1 - dropout), dtype=X.dtype, ops=4,
                     call=f"{call}, its entries that are not zero")


@pytest.mark.check("dropout_layer: dropout=0 keeps X, dropout=1 returns zeros", points=1)
def test_dropout_extremes(student):
    X = torch.randn(6, 7, generator=own_generator())
    expect_close(student.dropout_layer(X, 0), X, call="dropout_layer(X, 0) with X = torch.randn(6, 7)", ops=0)
    expect_close(student.dropout_layer(X, 1), torch.zeros(6, 7),
                 call="dropout_layer(X, 1) with X = torch.randn(6, 7)", ops=0)


@pytest.mark.check("dropout_layer: drops a fraction dropout of the entries", points=2)
def test_dropout_fraction(student):
    X = torch.ones(200, 500)
    n = X.numel()
    for dropout in (0.1, 0.5, 0.8):  # not 0.5 alone: a mask kept with probability p instead passes there
        call = f"dropout_layer(X, {dropout}) with X = torch.ones(200, 500)"
        out = student.dropout_layer(X, dropout)
        expect_tensor_like(out, X, call)
        dropped = float((out == 0).double().mean())
        tolerance = SPREAD * math.sqrt(dropout * (1 - dropout) / n)  # the binomial spread of a fraction
        expect(abs(dropped - dropout) <= tolerance,
               f"{call} dropped {dropped:.2%} of the entries; expected {dropout:.0%} ± {tolerance:.2%} "
               f"({SPREAD} binomial standard deviations)")


@pytest.mark.check("dropout_layer: keeps the mean of its input (divides what it keeps by 1 - dropout)", points=2)
def test_dropout_mean(student):
    X = torch.rand(200, 500, generator=own_generator()) + 0.5
    n = X.numel()
    expected = float(X.double().mean())
    for dropout in (0.2, 0.5, 0.9):
        call = f"dropout_layer(X, {dropout}) with X = torch.rand(200, 500) + 0.5"
        out = student.dropout_layer(X, dropout)
        expect_tensor_like(out, X, call)
        mean = float(out.double().mean())
        # each entry is X_i / (1 - p) with probability 1 - p, else 0: its variance is X_i² p / (1 - p)
        tolerance = SPREAD * math.sqrt(dropout / (1 - dropout) * float((X.double() ** 2).mean()) / n)
        expect(abs(mean - expected) <= tolerance,
               f"{call}: the mean of the result is {mean:.4f}, the mean of X {expected:.4f}; they should "
               f"agree within {tolerance:.4f} ({SPREAD} standard deviations)")


@pytest.mark.check("dropout_layer: draws a new mask at every call", points=1, hidden=True)
def test_dropout_new_mask(student):
    X = torch.ones(50, 60)
    first, second = student.dropout_layer(X, 0.5), student.dropout_layer(X, 0.5)
    expect_tensor_like(first, X, "dropout_layer(X, 0.5)")
    expect(not torch.equal(first == 0, second == 0),
           "two calls of dropout_layer(X, 0.5) with X = torch.ones(50, 60) dropped exactly the same "
           "entries: draw a new mask at every call (no torch.manual_seed inside the function)")


@pytest.mark.check("dropout_layer: drops each entry on its own, not whole rows or columns", points=1, hidden=True)
def test_dropout_independent_entries(student):
    X = torch.ones(400, 300)
    call = "dropout_layer(X, 0.5) with X = torch.ones(400, 300)"
    out = student.dropout_layer(X, 0.5)
    expect_tensor_like(out, X, call)
    dropped = (out == 0).double()
    for axis, word, length in ((1, "row", 300), (0, "column", 400)):
        spread = float(dropped.mean(dim=axis).std())
        independent = math.sqrt(0.5 * 0.5 / length)  # the binomial spread of one row's (column's) fraction
        expect(independent / 2 < spread < 2 * independent,
               f"{call}: the fraction of dropped entries varies from {word} to {word} with a standard "
               f"deviation of {spread:.3f}; entries dropped on their own give about {independent:.3f} "
               f"(is one mask shared by every {word}, or are whole {word}s dropped?)")


@pytest.mark.check("dropout_layer: leaves its input unchanged", condition=True)
def test_dropout_input_unchanged(student):
    call = student.define(call_with_copies)
    before, after = call(student.dropout_layer, [torch.randn(5, 6, generator=own_generator()), 0.5])
    expect_unchanged(before[0], after[0], call="dropout_layer(X, 0.5)", what="X")


@pytest.mark.check("dropout_layer: draws the mask itself, without a built-in dropout", condition=True)
def test_dropout_no_builtin(student):
    expect_no_builtin(student, "dropout_layer", DROPOUT_BUILTINS, [torch.randn(3, 4), 0.5],
                      advice="draw the mask yourself, e.g. with torch.rand")
