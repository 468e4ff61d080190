"""Plain data on the wire between the grading process and the student's kernel, without pickle.

A value becomes a JSON-able *spec* plus a list of raw byte buffers (tensor and array contents
travel as bytes, never as text). Decoding builds fresh objects from an allow-list of types and
dtypes: nothing the student defined survives the trip, only numbers, strings and shapes.

Tensors and arrays are in `wire_values.py`, pandas values in `wire_frames.py`. Decoding is
bounded, as the kernel chooses every length: the raw buffers together may hold at
most MAX_BYTES, and the value at most MAX_ELEMENTS elements (items of containers, tensor and
array elements, index and column lengths, string characters / 8); a column's data must be as
long as its index (no 0-d data broadcast over a long index). Past a bound: WireError.

This module is also sent, as text, into the kernel, ahead of `responder.py` (see
`grader.in_sandbox.responder_bootstrap`): it imports nothing of the grader, and torch, numpy and
pandas only lazily. `COMM_TARGET` names the comm that both sides open.
"""

try:
    from .wire_frames import _decode_pandas, _encode_pandas
    from .wire_values import (ARRAY_KINDS, MAX_BYTES, MAX_ELEMENTS, TENSOR_DTYPES, WireError,
                              _array_spec, _decode_array, _decode_tensor, _float_spec,
                              _Received, _tensor_spec)
except ImportError:  # run as text in the kernel: their text came first and defined them
    pass

COMM_TARGET = "grader.responder"


def encode(value, buffers, on_other=None):
    """Return the spec of `value`, appending raw bytes to `buffers`.

    `on_other(obj)` returns the spec of anything that is not plain data (the kernel answers
    with a remote reference); without it such a value raises WireError.
    """
    import numpy as np
    import torch

    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value if abs(value) < 2**53 else {"$int": str(value)}
    if isinstance(value, float):
        return _float_spec(value)
    if isinstance(value, torch.Tensor):
        return {"$tensor": _tensor_spec(value, buffers)}
    if isinstance(value, np.ndarray) and value.dtype.kind in ARRAY_KINDS:
        return {"$ndarray": _array_spec(value, buffers)}
    if isinstance(value, np.generic) and value.dtype.kind in ARRAY_KINDS:
        return {"$npscalar": _array_spec(np.asarray(value), buffers)}
    if isinstance(value, (list, tuple)):
        items = [encode(v, buffers, on_other) for v in value]
        return {"$tuple": items} if isinstance(value, tuple) else items
    if isinstance(value, dict):
        return {"$dict": [[encode(k, buffers, on_other), encode(v, buffers, on_other)]
                          for k, v in value.items()]}
    frame = _encode_pandas(value, buffers, on_other, encode)
    if frame is not None:
        return frame
    if on_other is not None:
        return on_other(value)
    raise WireError(f"cannot send a {type(value).__name__} as plain data")


def decode(spec, buffers, on_ref=None, max_bytes=MAX_BYTES, max_elements=MAX_ELEMENTS):
    """Build fresh plain objects from `spec`; `on_ref(spec)` resolves remote references.
    Raises WireError past `max_bytes` of buffers or `max_elements` elements."""
    if not isinstance(buffers, _Received):
        if sum(len(b) for b in buffers) > max_bytes:
            raise WireError("the answer is too large to check")
        buffers = _Received(buffers, max_elements)
    if spec is None or isinstance(spec, (bool, int, float)):
        return spec
    if isinstance(spec, str):
        buffers.take(len(spec) // 8)
        return spec
    if isinstance(spec, list):
        buffers.take(len(spec))
        return [decode(s, buffers, on_ref) for s in spec]
    if not isinstance(spec, dict) or len(spec) < 1:
        raise WireError("malformed value")
    tag = next(iter(spec))
    body = spec[tag]
    buffers.take(len(body) if isinstance(body, (list, str)) else 1)
    if tag == "$float":
        return float(body)
    if tag == "$int":
        return int(body)
    if tag == "$tuple":
        return tuple(decode(s, buffers, on_ref) for s in body)
    if tag == "$dict":
        return {_hashable(decode(k, buffers, on_ref)): decode(v, buffers, on_ref) for k, v in body}
    if tag == "$tensor":
        return _decode_tensor(body, buffers)
    if tag == "$ndarray":
        return _decode_array(body, buffers)
    if tag == "$npscalar":
        return _decode_array(body, buffers)[()]
    if tag in ("$dataframe", "$series", "$index"):
        return _decode_pandas(tag, body, buffers, on_ref, decode)
    if tag in ("$ref", "$global") and on_ref is not None:
        return on_ref(spec)
    raise WireError(f"unknown value tag {tag!r}")


def _hashable(key):
    return tuple(key) if isinstance(key, list) else key
