"""Plain data on the wire between the grading process and the student's kernel, without pickle.

A value becomes a JSON-able *spec* plus a list of raw byte buffers (tensor and array contents
travel as bytes, never as text). Decoding builds fresh objects from an allow-list of types and
dtypes: nothing the student defined survives the trip, only numbers, strings and shapes.

Tensors and arrays are in `wire_values.py`, pandas values in `wire_frames.py`. Decoding is
linear and bounded, as the kernel chooses every length: the raw buffers together may hold at
most MAX_BYTES, and the value at most MAX_ELEMENTS elements (items of containers, tensor and
array elements, index and column lengths, string characters / 8), MAX_DEPTH levels of
containers and MAX_EQUAL_HASHES dict keys sharing a hash (colliding integer keys made a dict's
construction quadratic); a tensor's shape is counted and its strides kept inside its data
before any view is made, each buffer serves one value, and a column's data must be as long as
its index (no 0-d data broadcast over a long index). Past a bound, or on anything malformed:
WireError, the only error `decode` raises.

This module is also sent, as text, into the kernel, ahead of `responder.py` (see
`grader.in_sandbox.responder_bootstrap`): it imports nothing of the grader, and torch, numpy and
pandas only lazily. `COMM_TARGET` names the comm that both sides open.
"""

try:
    from .wire_frames import _decode_pandas, _encode_pandas
    from .wire_values import (ARRAY_KINDS, MAX_BYTES, MAX_ELEMENTS, WireError,
                              _array_spec, _decode_array, _decode_tensor, _float_spec,
                              _number_text, _Received, _tensor_spec)
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

    Linear in the reply's size, and bounded: WireError past `max_bytes` of buffers,
    `max_elements` elements, MAX_DEPTH levels or MAX_EQUAL_HASHES keys sharing a hash. Any
    spec, whatever the kernel made of it, gives a value or a WireError, never another error."""
    try:
        if not isinstance(buffers, _Received):
            if not isinstance(buffers, list) or sum(len(b) for b in buffers) > max_bytes:
                raise WireError("the answer is too large to check")
            buffers = _Received(buffers, max_elements)
        buffers.enter()
        try:
            return _decode(spec, buffers, on_ref)
        finally:
            buffers.leave()
    except WireError:
        raise
    except (TypeError, ValueError, KeyError, IndexError, AttributeError, OverflowError,
            RuntimeError, MemoryError) as error:  # RecursionError is a RuntimeError
        raise WireError(f"malformed value ({type(error).__name__})") from None


def _decode(spec, buffers, on_ref):
    if spec is None or isinstance(spec, (bool, int, float)):
        return spec
    if isinstance(spec, str):
        buffers.take(len(spec) // 8)
        return spec
    if isinstance(spec, list):
        buffers.take(len(spec))
        return [decode(s, buffers, on_ref) for s in spec]
    if not isinstance(spec, dict) or not spec:  # the tag first ({"$ref": 3, "attrs": [...]})
        raise WireError("malformed value")
    tag, body = next(iter(spec.items()))
    buffers.take(len(body) if isinstance(body, (list, str)) else 1)
    if tag == "$float":
        return float(_number_text(body))
    if tag == "$int":
        return int(_number_text(body))
    if tag in ("$tuple", "$dict") and not isinstance(body, list):
        raise WireError("malformed value")
    if tag == "$tuple":
        return tuple(decode(s, buffers, on_ref) for s in body)
    if tag == "$dict":
        pairs = [(_hashable(decode(k, buffers, on_ref)), decode(v, buffers, on_ref)) for k, v in body]
        buffers.keys([key for key, _ in pairs])  # before a dict is built of them
        return dict(pairs)
    if not isinstance(body, dict) and tag in ("$tensor", "$ndarray", "$npscalar", "$dataframe", "$series", "$index"):
        raise WireError("malformed value")
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
    raise WireError(f"unknown value tag {str(tag)[:40]!r}")


def _hashable(key):
    return tuple(key) if isinstance(key, list) else key
