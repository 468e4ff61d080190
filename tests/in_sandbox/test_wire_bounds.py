"""The grading process is bounded whatever the kernel sends (issue 21, section 4): decoding a
reply is linear and capped in elements, depth, keys sharing a hash and bytes; it gives a value
or one WireError, never another exception (property tests with Hypothesis: any JSON-like value
and buffers); a tensor's shape and strides are checked before any view is made, and the
training checks refuse parameters of the wrong shapes before computing anything."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from d2l_course.models import MLP, SOFTMAX_REGRESSION, classifier_accuracy
from grader.in_sandbox.wire import WireError, decode, encode
from grader.in_sandbox.wire_values import MAX_DEPTH, MAX_EQUAL_HASHES, MAX_NUMBER_TEXT

from conftest import ROOT

TAGS = ["$float", "$int", "$tuple", "$dict", "$tensor", "$ndarray", "$npscalar", "$dataframe",
        "$series", "$index", "$ref", "$global", "buffer", "shape", "dtype", "strides", "offset",
        "range", "values", "name", "data", "list", "array", "categorical", "codes", "columns",
        "index", "categories", "ordered", "requires_grad"]
SCALARS = (st.none() | st.booleans() | st.integers() | st.integers(min_value=-3, max_value=70)
           | st.floats(allow_nan=True) | st.text(max_size=12)
           | st.sampled_from(["float32", "int64", "bool", "<f8", "|b1", "<i8", "object", "inf", "nan",
                              "Int64", "category", "9" * 5000]))
JSON_LIKE = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=6)
    | st.dictionaries(st.sampled_from(TAGS) | st.text(max_size=6), inner, max_size=5),
    max_leaves=40)
BUFFERS = st.lists(st.binary(max_size=64), max_size=4)


@settings(max_examples=400, deadline=None)
@given(JSON_LIKE, BUFFERS)
def test_any_json_like_value_gives_a_value_or_one_wire_error(spec, buffers):
    try:
        decode(spec, buffers)
    except WireError:
        pass


TENSOR_BODY = st.fixed_dictionaries(
    {"dtype": st.sampled_from(["float32", "float64", "uint8", "bool", "int64", "complex64", "x"]),
     "shape": st.lists(st.integers(min_value=-1, max_value=2**40), max_size=4),
     "buffer": st.integers(min_value=-1, max_value=3)},
    optional={"strides": st.lists(st.integers(min_value=-2, max_value=2**62), max_size=4),
              "offset": st.integers(min_value=-2, max_value=2**62),
              "requires_grad": st.booleans()})


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(["$tensor", "$ndarray", "$npscalar"]), TENSOR_BODY, BUFFERS)
def test_any_tensor_spec_gives_a_bounded_value_or_one_wire_error(tag, body, buffers):
    if tag != "$tensor":
        body = {**body, "dtype": {"float32": "<f4", "uint8": "|u1"}.get(body["dtype"], body["dtype"])}
    try:
        value = decode({tag: body}, buffers)
    except WireError:
        return
    data = sum(len(b) for b in buffers)
    assert getattr(value, "nbytes", 0) <= data  # a view never addresses more than its data


@settings(max_examples=100, deadline=None)
@given(st.recursive(st.none() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
                    lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner)
                    | st.dictionaries(st.integers() | st.text(max_size=4), inner, max_size=4),
                    max_leaves=30))
def test_plain_values_survive_the_trip(value):
    buffers: list = []
    out = decode(json.loads(json.dumps(encode(value, buffers))), buffers)
    assert out == value


def colliding_keys(count: int) -> dict:
    """`count` integer keys with one hash (multiples of 2**61 - 1): a dict of them costs
    count**2 / 2 comparisons to build."""
    return {"$dict": [[{"$int": str(i * (2**61 - 1))}, 0] for i in range(1, count + 1)]}


def test_keys_sharing_a_hash_are_counted_and_refused():
    assert len(decode(colliding_keys(MAX_EQUAL_HASHES + 1), [])) == MAX_EQUAL_HASHES + 1  # the control
    with pytest.raises(WireError, match="equal hashes"):
        decode(colliding_keys(MAX_EQUAL_HASHES + 2), [])
    with pytest.raises(WireError, match="equal hashes"):  # the 60,000: refused, not built
        decode(colliding_keys(60_000), [])
    spread = {"$dict": [[{"$tuple": [i, "k"]}, i] for i in range(60_000)]}  # ordinary keys: fine
    assert len(decode(spread, [])) == 60_000


def nested(depth: int) -> list:
    value: list = []
    for _ in range(depth - 1):
        value = [value]
    return value


def test_depth_is_capped_before_the_recursion_limit():
    assert decode(nested(MAX_DEPTH), []) == nested(MAX_DEPTH)  # the control
    with pytest.raises(WireError, match="nested"):
        decode(nested(MAX_DEPTH + 1), [])
    with pytest.raises(WireError):
        decode(nested(100_000), [])  # far past Python's recursion limit: still one WireError


def test_numbers_as_text_are_capped():
    assert decode({"$int": "9" * MAX_NUMBER_TEXT}, []) == int("9" * MAX_NUMBER_TEXT)
    for spec in ({"$int": "9" * 100_000}, {"$float": "1" * 100_000}, {"$int": "x"}, {"$int": 5}):
        with pytest.raises(WireError):
            decode(spec, [])


def test_a_buffer_serves_one_value():
    one = {"$tensor": {"dtype": "uint8", "shape": [4], "buffer": 0}}
    assert decode([one], [b"abcd"])[0].tolist() == [97, 98, 99, 100]  # the control
    with pytest.raises(WireError, match="used twice"):
        decode([one] * 1000, [b"abcd"])


FORGED_W = {"$tensor": {"dtype": "float32", "shape": [64, 262_144], "buffer": 0,
                        "strides": [0, 0], "offset": 0}}


def test_a_zero_strided_view_larger_than_its_data_is_refused():
    with pytest.raises(WireError):
        decode(FORGED_W, [b"\0" * 4])  # the issue's: past the elements' cap too
    small = {"$tensor": {**FORGED_W["$tensor"], "shape": [64, 1024]}}
    with pytest.raises(WireError, match="larger than its data"):
        decode(small, [b"\0" * 4])
    expanded = torch.tensor([1.0, 2.0]).expand(3, 2)  # the control: a real broadcast travels whole
    buffers: list = []
    out = decode(encode(expanded, buffers), buffers)
    assert torch.equal(out, expanded) and out.nbytes == 24


def test_parameters_of_the_wrong_shape_score_nothing_before_any_product():
    X, labels = torch.randn(500, 784), torch.randint(0, 10, (500,))
    good = {"W": torch.zeros(784, 10), "b": torch.zeros(10)}
    assert classifier_accuracy(good, SOFTMAX_REGRESSION, X, labels) > 0  # the control
    forged = {"W": torch.zeros(4).as_strided((784, 262_144), (0, 0)), "b": torch.zeros(262_144)}
    assert classifier_accuracy(forged, SOFTMAX_REGRESSION, X, labels) == 0
    wide = {"W1": torch.zeros(784, 100_000), "b1": torch.zeros(100_000),
            "W2": torch.zeros(100_000, 10), "b2": torch.zeros(10)}
    assert classifier_accuracy(wide, MLP, X, labels) == 0
    mlp = {"W1": torch.zeros(784, 256), "b1": torch.zeros(1, 256), "W2": torch.zeros(256, 10),
           "b2": torch.zeros(10)}
    assert classifier_accuracy(mlp, MLP, X, labels) > 0


PEAK = """
import resource, sys, torch
sys.path.insert(0, "course/lib")  # the built-in course's own modules
from grader.in_sandbox.wire import WireError, decode
from d2l_course.models import SOFTMAX_REGRESSION, classifier_accuracy
X, labels = torch.randn(500, 784), torch.randint(0, 10, (500,))
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
W = {"$tensor": {"dtype": "float32", "shape": [256, 65_536], "buffer": 0}}
for forged in ([b"\\0" * (256 * 65_536 * 4)], [b"\\0" * 4]):
    try:
        params = {"W": decode(W, forged), "b": torch.zeros(65_536)}
    except WireError:
        continue
    assert classifier_accuracy(params, SOFTMAX_REGRESSION, X, labels) == 0
print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) * 1024)
"""


def test_the_grading_process_stays_small_whatever_comes_back():
    """A 64 MiB weight of a shape the contract does not allow costs its bytes, not gigabytes."""
    done = subprocess.run([sys.executable, "-c", PEAK], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert int(done.stdout) < 1.5 * 1024**3 - 512 * 1024**2  # torch and the data set: the rest


def test_a_reference_keeps_its_attributes():
    spec = {"$ref": 3, "attrs": ["forward"]}
    assert decode([spec], [], on_ref=lambda ref: ("ref", ref["$ref"], ref["attrs"])) == [("ref", 3, ["forward"])]
