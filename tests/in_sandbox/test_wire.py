"""The wire codec: plain data survives the trip; anything else is refused or becomes a handle."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import torch

from grader.in_sandbox.wire import WireError, decode, encode


def roundtrip(value):
    buffers: list = []
    spec = encode(value, buffers)
    return decode(spec, buffers)


@pytest.mark.parametrize("tensor", [
    torch.randn(3, 4), torch.randn(4, 3).T, torch.arange(10)[::3], torch.tensor(2.5),
    torch.zeros(0, 5), torch.randn(2, 2, dtype=torch.float64), torch.randn(3, dtype=torch.bfloat16),
    torch.tensor([True, False]), torch.randn(2, dtype=torch.complex64), torch.arange(6, dtype=torch.int8),
])
def test_tensors_roundtrip_with_dtype_shape_and_strides(tensor):
    out = roundtrip(tensor)
    assert out.dtype == tensor.dtype and out.shape == tensor.shape and out.stride() == tensor.stride()
    assert torch.equal(out, tensor)


def test_decoded_tensor_is_a_fresh_plain_tensor():
    class Sneaky(torch.Tensor):
        def __eq__(self, other):
            return True

    sneaky = torch.randn(3).as_subclass(Sneaky)
    out = roundtrip(sneaky)
    assert type(out) is torch.Tensor
    assert not out.data_ptr() == sneaky.data_ptr()


def test_requires_grad_travels_as_a_flag():
    out = roundtrip(torch.randn(2, requires_grad=True))
    assert out.requires_grad and out.is_leaf


def test_scalars_containers_and_special_floats():
    value = {"a": [1, 2.5, None, True], 3: ("x", float("inf")), "big": 2**70}
    out = roundtrip(value)
    assert out["a"] == [1, 2.5, None, True] and out[3] == ("x", math.inf) and out["big"] == 2**70
    assert math.isnan(roundtrip(float("nan")))


def test_frames_and_series_keep_columns_dtypes_and_missing_values():
    frame = pd.DataFrame({"a": [1.0, None, 3.0], "b": ["x", None, "z"],
                          "c": pd.Categorical(["u", "v", None]), "d": [True, False, True]})
    pd.testing.assert_frame_equal(roundtrip(frame), frame)
    series = pd.Series([0.25, 0.5], index=["a", "b"], name="fraction")
    pd.testing.assert_series_equal(roundtrip(series), series)
    np.testing.assert_array_equal(roundtrip(np.arange(5.0)), np.arange(5.0))


def test_other_objects_are_refused_without_a_handler_and_handed_over_with_one():
    with pytest.raises(WireError):
        encode(object(), [])
    assert encode(object(), [], on_other=lambda obj: {"$ref": 7}) == {"$ref": 7}


@pytest.mark.parametrize("spec, buffers", [
    ({"$tensor": {"dtype": "object", "shape": [1], "buffer": 0}}, [b"\0" * 8]),
    ({"$tensor": {"dtype": "float32", "shape": [3], "buffer": 0}}, [b"\0" * 8]),
    ({"$tensor": {"dtype": "float32", "shape": [1], "buffer": 5}}, []),
    ({"$ndarray": {"dtype": "|O", "shape": [1], "buffer": 0}}, [b"\0" * 8]),
    ({"$pickle": "..."}, []),
    ({"$ref": 1}, []),
])
def test_malformed_or_unsafe_specs_are_rejected(spec, buffers):
    with pytest.raises((WireError, TypeError, ValueError)):
        decode(spec, buffers)


# -- bounds: the kernel chooses every length, the grading process must not pay for it ----------

def test_zero_dim_data_is_not_broadcast_over_a_long_index():
    """A forged 16-byte reply once made the grading process allocate 4 GiB."""
    spec = {"$series": {"name": None, "index": {"range": [0, 250_000_000, 1], "name": None},
                        "data": {"array": {"dtype": "<f8", "shape": [], "buffer": 0}}}}
    with pytest.raises(WireError):
        decode(spec, [b"\0" * 8])


def test_column_data_must_match_its_index():
    spec = {"$series": {"name": None, "index": {"range": [0, 3, 1], "name": None},
                        "data": {"array": {"dtype": "<f8", "shape": [2], "buffer": 0}}}}
    with pytest.raises(WireError):
        decode(spec, [b"\0" * 16])
    frame = {"$dataframe": {"columns": {"range": [0, 1, 1], "name": None},
                            "index": {"range": [0, 3, 1], "name": None},
                            "data": [{"list": [1], "dtype": "int64"}]}}
    with pytest.raises(WireError):
        decode(frame, [])


def test_buffers_and_elements_are_capped_before_anything_is_built():
    tensor = {"$tensor": {"dtype": "uint8", "shape": [64], "buffer": 0}}
    with pytest.raises(WireError, match="too large"):
        decode(tensor, [b"\0" * 64], max_bytes=63)
    with pytest.raises(WireError, match="too large"):
        decode(tensor, [b"\0" * 64], max_elements=63)
    assert decode(tensor, [b"\0" * 64], max_bytes=64, max_elements=100).numel() == 64
    with pytest.raises(WireError, match="too large"):
        decode(list(range(100)), [], max_elements=50)
    with pytest.raises(WireError, match="too large"):
        decode("x" * 1000, [], max_elements=100)
    with pytest.raises(WireError, match="too large"):  # a long range index costs its length
        decode({"$index": {"range": [0, 10**12, 1], "name": None}}, [])


def test_a_zero_stride_view_counts_all_its_elements():
    huge = {"$tensor": {"dtype": "float32", "shape": [10**6, 10**6], "buffer": 0,
                        "strides": [0, 0], "offset": 0}}
    with pytest.raises(WireError, match="too large"):
        decode(huge, [b"\0" * 4])
