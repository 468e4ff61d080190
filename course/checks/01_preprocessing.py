"""Checks for 01_preprocessing (D2L 2.1, 2.2). Judged in the grading process.

Frames travel to the kernel and back as plain data (the grader's wire codec): float, int64,
bool, object, pandas 3 string and categorical columns, with missing values in each. As the
contract says, pandas' nullable extension dtypes (Int64, Float64, boolean) are not used, so the
book's `inputs.fillna(inputs.mean())` works.

Scoring (the plugin's rule): a function earns its points only when all of its checks pass; the
condition "leaves its input unchanged" holds no points but costs the function's points when it
fails. Numbers are compared with the tolerance rule of `grader.check_tools.expect` (`ops=`),
column by column for preprocess's X (its columns have scales of their own). A wrong answer that
matches a known mistake (a variant of the reference below, computed here on the same frame) says
which.
"""

import numpy as np
import pandas as pd
import pytest
import torch

from grader.check_tools import (
    N_,
    _,
    diagnosis,
    expect,
    expect_close,
    expect_inputs_unchanged,
    fail,
    mistake,
    mistake_answers,
)


def houses():
    """D2L 2.2's example."""
    return pd.DataFrame({
        "NumRooms": [np.nan, 2.0, 4.0, np.nan],
        "RoofType": pd.Series([None, None, "Slate", None], dtype="str"),
        "Price": [127500, 106000, 178100, 140000],
    })


def mixed():
    """Float, str, object, category and bool columns, with gaps."""
    return pd.DataFrame({
        "num": [1.0, np.nan, 3.0, 4.0, 2.5],
        "text": pd.Series(["a", None, "b", "a", "c"], dtype="str"),
        "obj": pd.Series(["x", "y", None, "x", "y"], dtype=object),
        "cat": pd.Categorical(["p", "q", "p", None, "q"]),
        "flag": [True, False, True, False, True],
        "target": [10.0, 20.0, 30.0, 40.0, 50.0],
    })


def one_row():
    return pd.DataFrame({"size": [3.5], "kind": pd.Series(["tile"], dtype="str"), "price": [100]})


def all_missing():
    """An all-missing numeric column and an all-missing text column."""
    return pd.DataFrame({
        "a": [1.0, 2.0, np.nan],
        "empty": [np.nan, np.nan, np.nan],
        "label": pd.Series([None, None, None], dtype="str"),
        "y": [1, 2, 3],
    })


def ties():
    """Two columns share the most gaps: the first of them is the one to drop."""
    return pd.DataFrame({
        "x": [1.0, np.nan, 3.0, 4.0],
        "first": pd.Series([None, "u", None, "v"], dtype="str"),
        "second": [np.nan, 1.0, np.nan, 2.0],
        "z": [1, 2, 3, 4],
    })


def no_missing():
    return pd.DataFrame({"a": [1, 2], "b": ["u", "v"], "c": [0.5, 1.5]})


def magnitudes():
    """Large and small numbers, the target in the middle and a shuffled index."""
    return pd.DataFrame({
        "big": [1e6, np.nan, 3e6, 2e6],
        "target": [0.25, 0.5, 0.75, 1.0],
        "tiny": [1e-6, 3e-6, np.nan, 2e-6],
        "color": pd.Series(["red", "blue", None, "red"], dtype=object),
    }, index=[3, 0, 2, 1])


FRAMES = {
    "houses": houses, "mixed": mixed, "one_row": one_row, "all_missing": all_missing,
    "ties": ties, "no_missing": no_missing, "magnitudes": magnitudes,
}
DESCRIPTIONS = {
    "houses": N_("D2L's houses frame (NumRooms, RoofType, Price)"),
    "mixed": N_("a frame with float, str, object, category and bool columns, with gaps"),
    "one_row": N_("a frame of one row"),
    "all_missing": N_("a frame with an all-missing numeric column and an all-missing str column"),
    "ties": N_("a frame where two columns tie for the most gaps"),
    "no_missing": N_("a frame without missing values"),
    "magnitudes": N_("a frame with values near 1e6 and 1e-6, the target in the middle and a shuffled index"),
}
TARGETS = {"houses": "Price", "mixed": "target", "one_row": "price", "all_missing": "y",
           "magnitudes": "target", "ties": "z", "no_missing": "c"}


# -- mistakes students make: variants of the references, computed here on the check's frame --

@mistake
def missing_counts(df):
    return df.isna().sum()


@mistake
def divided_by_column_count(df):
    return df.isna().sum() / df.shape[1]


@mistake
def present_fractions(df):
    return df.notna().mean()


@mistake
def row_fractions(df):
    return df.isna().mean(axis=1)


@mistake
def numeric_fractions(df):
    return df.select_dtypes("number").isna().mean()


@mistake
def percentages(df):
    return df.isna().mean() * 100


FRACTION_MISTAKES = {  # {sentence for the student: the mistaken missing_fraction}
    N_("these are counts of missing values, not fractions: what should each count be divided by?"): missing_counts,
    N_("you divided by the number of columns: how many values does each column hold?"): divided_by_column_count,
    N_("these are the fractions of values present, not missing: isna or notna?"): present_fractions,
    N_("you returned one fraction per row, not one per column: over which axis did you average?"): row_fractions,
    N_("only the numeric columns are in your answer: text and category columns have gaps too"): numeric_fractions,
    N_("these look like percentages (0 to 100), not fractions (0 to 1)"): percentages,
}


@mistake
def name_of_most_missing(df):
    return df.isna().sum().idxmax()


@mistake
def without_columns_with_gaps(df):
    return df.dropna(axis=1)


@mistake
def drop_least_missing(df):
    return df.drop(columns=df.isna().sum().idxmin())


@mistake
def drop_last_of_most_missing(df):
    counts = df.isna().sum()
    return df.drop(columns=counts[counts == counts.max()].index[-1])


@mistake
def drop_numeric_most_missing(df):
    return df.drop(columns=df.select_dtypes("number").isna().sum().idxmax())


DROP_MISTAKES = {  # {sentence for the student: the mistaken drop_most_missing}
    N_("you returned the name of the column to drop, not the frame without it"): name_of_most_missing,
    N_("you dropped every column with a gap, not only the one with the most"): without_columns_with_gaps,
    N_("you dropped the column with the fewest missing values, not the most"): drop_least_missing,
    N_("on a tie you dropped the last of the tied columns, not the first"): drop_last_of_most_missing,
    N_("you dropped the numeric column with the most gaps: count the gaps of every column, text "
       "ones too"):
        drop_numeric_most_missing,
}


@mistake
def preprocessed(df, target, *, fill="mean", dummy_na=True, keep_target=False, y_as_column=False):
    """The reference's (X, y) in float64, or what a mistake gives: the gaps filled with another
    value, no column for missing categories, the target left among the inputs, y as a column."""
    inputs = df if keep_target else df.drop(columns=target)
    inputs = pd.get_dummies(inputs, dummy_na=dummy_na).astype("float64")
    inputs = inputs.fillna({"mean": inputs.mean(), "median": inputs.median(), "zero": 0.0}[fill])
    y = torch.tensor(df[[target]].to_numpy(dtype=float) if y_as_column else df[target].to_numpy(dtype=float))
    return torch.tensor(inputs.to_numpy(dtype=float)), y


def preprocess_mistakes(df, target):
    """{sentence for the student: the (X, y) that preprocess gives with that mistake}; a mistake
    without an answer (None: not recorded in a student kit) names nothing."""
    found = {
        "the gaps were filled with the column's median, not its mean": preprocessed(df, target, fill="median"),
        "the gaps were filled with 0, not with the column's mean": preprocessed(df, target, fill="zero"),
        "there is no column for missing categories: get_dummies makes one only when asked (dummy_na)":
            preprocessed(df, target, dummy_na=False),
        "the target column is still among the inputs X": preprocessed(df, target, keep_target=True),
        "y has one column where a vector was expected: did you select the target as a frame "
        "(df[[target]]) rather than a series?": preprocessed(df, target, y_as_column=True),
    }
    return {says: answer for says, answer in found.items() if answer is not None}


def as_columns(pair):
    """[X[:, 0], X[:, 1], ..., y]: the pair compared column by column; None if X is no matrix."""
    X, y = pair
    if not isinstance(X, torch.Tensor) or X.dim() != 2:
        return None
    return [X[:, j] for j in range(X.shape[1])] + [y]


def check_missing_fraction(student, reference, name):
    df = FRAMES[name]()
    got = student.missing_fraction(df)
    expect_close(got, reference.missing_fraction(df), call=_("missing_fraction(df) with {descriptions}")
                                                           .format(descriptions=_(DESCRIPTIONS[name])),
                 ops=8, mistakes=mistake_answers(FRACTION_MISTAKES, df))


@pytest.mark.check("missing_fraction: fraction of missing values per column, every kind of column", points=2)
def test_missing_fraction_houses(student, reference):
    for name in ("houses", "mixed"):
        check_missing_fraction(student, reference, name)


@pytest.mark.check("missing_fraction: one row, all-missing and complete columns, a shuffled index",
                   points=1, hidden=True)
def test_missing_fraction_edge_cases(student, reference):
    for name in ("one_row", "all_missing", "no_missing", "magnitudes"):
        check_missing_fraction(student, reference, name)


@pytest.mark.check("missing_fraction: leaves its input unchanged", condition=True)
def test_missing_fraction_input_unchanged(student):
    expect_inputs_unchanged(student, "missing_fraction", [mixed()], names=["df"], call="missing_fraction(df)")


def check_drop(student, reference, name):
    df = FRAMES[name]()
    got = student.drop_most_missing(df)
    expect_close(got, reference.drop_most_missing(df),
                 call=_("drop_most_missing(df) with {descriptions}")
                      .format(descriptions=_(DESCRIPTIONS[name])), rtol=0, atol=0,
                 mistakes=mistake_answers(DROP_MISTAKES, df))


@pytest.mark.check("drop_most_missing: drops the column with the most missing values (the first on a tie)",
                   points=2)
def test_drop_most_missing(student, reference):
    for name in ("houses", "mixed", "ties"):
        check_drop(student, reference, name)


@pytest.mark.check("drop_most_missing: no gaps, one row, an all-missing column, a shuffled index", points=1, hidden=True)
def test_drop_most_missing_edge_cases(student, reference):
    for name in ("no_missing", "one_row", "all_missing", "magnitudes"):
        check_drop(student, reference, name)


@pytest.mark.check("drop_most_missing: leaves its input unchanged", condition=True)
def test_drop_most_missing_input_unchanged(student):
    for name in ("houses", "mixed"):
        expect_inputs_unchanged(student, "drop_most_missing", [FRAMES[name]()], names=["df"],
                                call=_("drop_most_missing(df) with {descriptions}")
                                .format(descriptions=_(DESCRIPTIONS[name])))


def check_preprocess(student, reference, name):
    df, target = FRAMES[name](), TARGETS[name]
    call = _("preprocess(df, {target}) with {descriptions}").format(target=f"{target!r}", descriptions=_(DESCRIPTIONS[name]))
    got = student.preprocess(df, target)
    expected = reference.preprocess(df, target)
    known = preprocess_mistakes(df, target)  # computed with every answer, so that a student kit records them
    expect(isinstance(got, (tuple, list)) and len(got) == 2, _("{call} should return a pair (X, y), got {name}")
                                                             .format(call=call, name=type(got).__name__))
    try:
        expect_pair(got, expected, call)
    except AssertionError as failed:  # the check's verdict (CheckFailed is one)
        columns, right = as_columns(got), as_columns(expected)
        mistakes = {says: as_columns(answer) for says, answer in known.items()}
        # A mistake that gives the right answer on this frame (the median of [2, 4] is its mean)
        # names nothing: an answer right but for its dtype would match it.
        mistakes = {says: answer for says, answer in mistakes.items()
                    if diagnosis(answer, {"right": right}, ops=8, dtype=torch.float32) is None}
        says = diagnosis(columns, mistakes, ops=8, dtype=torch.float32) if columns is not None else None
        if says is None:
            raise
        fail(f"{failed}. {says}")


def expect_pair(got, expected, call):
    X, y = got
    for what, value, want in (("X", X, expected[0]), ("y", y, expected[1])):
        expect(isinstance(value, torch.Tensor),
               _("{call}: {what} should be a tensor, got {name}")
               .format(call=call, what=what, name=type(value).__name__))
        expect(value.dtype == torch.float32, _("{call}: {what} should be float32, got {dtype}")
                                             .format(call=call, what=what, dtype=value.dtype))
        expect(tuple(value.shape) == tuple(want.shape),
               _("{call}: {what} should have shape {shape}, got {shape2}{value}")
               .format(call=call, what=what, shape=tuple(want.shape), shape2=tuple(value.shape), value=_(" (one column per category and one for missing values, in get_dummies' order)") if what == "X" else ""))
    for j in range(X.shape[1]):
        expect_close(X[:, j], expected[0][:, j], call=f"{call}, X[:, {j}]", ops=8)
    expect_close(y, expected[1], call=f"{call}, y", ops=8)


@pytest.mark.check("preprocess: one-hot encodes and fills D2L's frame", points=3)
def test_preprocess_houses(student, reference):
    check_preprocess(student, reference, "houses")


@pytest.mark.check("preprocess: str, object, category and bool columns, large and small values, the target "
                   "in the middle", points=3)
def test_preprocess_mixed(student, reference):
    for name in ("mixed", "magnitudes"):
        check_preprocess(student, reference, name)


@pytest.mark.check("preprocess: one row, all-missing columns, ties, no gaps", points=1, hidden=True)
def test_preprocess_edge_cases(student, reference):
    for name in ("one_row", "all_missing", "ties", "no_missing"):
        check_preprocess(student, reference, name)


@pytest.mark.check("preprocess: leaves its input unchanged", condition=True)
def test_preprocess_input_unchanged(student):
    for name in ("houses", "magnitudes"):
        expect_inputs_unchanged(student, "preprocess", [FRAMES[name](), TARGETS[name]], names=["df"],
                                call=_("preprocess(df, {targets}) with {descriptions}")
                                .format(targets=f"{TARGETS[name]!r}", descriptions=_(DESCRIPTIONS[name])))
