"""Plain data on the wire between the grading process and the student's kernel, without pickle.

A value becomes a JSON-able *spec* plus a list of raw byte buffers (tensor and array contents
travel as bytes, never as text). Decoding builds fresh objects from an allow-list of types and
dtypes: nothing the student defined survives the trip, only numbers, strings and shapes.

This module is also sent, as text, into the kernel, ahead of `responder.py` (see
`grader.in_sandbox.responder_bootstrap`): it imports nothing of the grader, and torch, numpy and
pandas only lazily. `COMM_TARGET` names the comm that both sides open.
"""

from __future__ import annotations

import math

COMM_TARGET = "grader.responder"

TENSOR_DTYPES = (
    "float16", "bfloat16", "float32", "float64", "complex64", "complex128",
    "int8", "int16", "int32", "int64", "uint8", "bool",
)
ARRAY_KINDS = "biufc"  # numpy dtype kinds that travel as bytes


class WireError(ValueError):
    """A spec that does not describe plain data."""


def _float_spec(x):
    if math.isfinite(x):
        return x
    return {"$float": "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")}


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
    frame = _encode_pandas(value, buffers, on_other)
    if frame is not None:
        return frame
    if on_other is not None:
        return on_other(value)
    raise WireError(f"cannot send a {type(value).__name__} as plain data")


def _tensor_spec(t, buffers):
    import torch

    with torch._C.DisableTorchFunction():
        requires_grad = bool(t.requires_grad)
        t = torch.Tensor.detach(t)
        if t.is_sparse or t.layout != torch.strided:
            t = t.to_dense()
        t = t.cpu()
        dtype = str(t.dtype).removeprefix("torch.")
        if dtype not in TENSOR_DTYPES:
            raise WireError(f"tensor dtype {dtype} is not supported")
        spec = {"dtype": dtype, "shape": list(t.shape), "buffer": len(buffers)}
        if requires_grad:
            spec["requires_grad"] = True
        if not t.is_contiguous():
            spec["strides"] = list(t.stride())
            spec["offset"] = t.storage_offset()
            raw = torch.empty(0, dtype=torch.uint8).set_(t.untyped_storage())
        else:
            raw = t.reshape(-1).view(torch.uint8) if t.numel() else torch.empty(0, dtype=torch.uint8)
        buffers.append(raw.numpy().tobytes())
    return spec


def _array_spec(a, buffers):
    import numpy as np

    a = np.ascontiguousarray(a)
    spec = {"dtype": a.dtype.str, "shape": list(a.shape), "buffer": len(buffers)}
    buffers.append(a.tobytes())
    return spec


def _encode_pandas(value, buffers, on_other):
    import pandas as pd

    if isinstance(value, pd.DataFrame):
        return {"$dataframe": {
            "columns": _encode_index(value.columns, buffers),
            "index": _encode_index(value.index, buffers),
            "data": [_encode_column(value.iloc[:, i], buffers) for i in range(value.shape[1])],
        }}
    if isinstance(value, pd.Series):
        return {"$series": {
            "name": encode(value.name, buffers, on_other),
            "index": _encode_index(value.index, buffers),
            "data": _encode_column(value, buffers),
        }}
    if isinstance(value, pd.Index):
        return {"$index": _encode_index(value, buffers)}
    return None


def _encode_index(index, buffers):
    import pandas as pd

    if isinstance(index, pd.RangeIndex):
        return {"range": [index.start, index.stop, index.step], "name": _plain_name(index.name)}
    return {"values": _encode_column(pd.Series(index, copy=False), buffers),
            "name": _plain_name(index.name)}


def _plain_name(name):
    return name if name is None or isinstance(name, (str, int, float, bool)) else str(name)


def _encode_column(series, buffers):
    """One column of values: numbers as bytes, everything else as a list of plain scalars."""
    import numpy as np
    import pandas as pd

    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return {"categorical": {
            "categories": _encode_column(pd.Series(dtype.categories), buffers),
            "codes": _array_spec(np.asarray(series.cat.codes), buffers),
            "ordered": bool(dtype.ordered),
        }}
    if isinstance(dtype, np.dtype) and dtype.kind in ARRAY_KINDS:
        return {"array": _array_spec(series.to_numpy(), buffers)}
    values = []
    for v in series.tolist():
        if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
            values.append(None)
        elif isinstance(v, (bool, str, int)):
            values.append(v)
        elif isinstance(v, float):
            values.append(_float_spec(v))
        elif isinstance(v, np.generic):
            values.append(_float_spec(float(v)) if v.dtype.kind == "f" else v.item())
        else:
            values.append(str(v))
    return {"list": values, "dtype": str(dtype)}


def decode(spec, buffers, on_ref=None):
    """Build fresh plain objects from `spec`; `on_ref(spec)` resolves remote references."""
    if spec is None or isinstance(spec, (bool, int, float, str)):
        return spec
    if isinstance(spec, list):
        return [decode(s, buffers, on_ref) for s in spec]
    if not isinstance(spec, dict) or len(spec) < 1:
        raise WireError("malformed value")
    tag = next(iter(spec))
    body = spec[tag]
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
        return _decode_pandas(tag, body, buffers, on_ref)
    if tag in ("$ref", "$global") and on_ref is not None:
        return on_ref(spec)
    raise WireError(f"unknown value tag {tag!r}")


def _hashable(key):
    return tuple(key) if isinstance(key, list) else key


def _buffer(body, buffers):
    index = body["buffer"]
    if not isinstance(index, int) or not 0 <= index < len(buffers):
        raise WireError("missing data buffer")
    return bytearray(buffers[index])


def _shape(body):
    shape = body["shape"]
    if not isinstance(shape, list) or not all(isinstance(n, int) and n >= 0 for n in shape):
        raise WireError("bad shape")
    return shape


def _decode_tensor(body, buffers):
    import torch

    dtype = body["dtype"]
    if dtype not in TENSOR_DTYPES:
        raise WireError(f"tensor dtype {dtype!r} is not supported")
    torch_dtype = getattr(torch, dtype)
    shape = _shape(body)
    data = _buffer(body, buffers)
    flat = torch.frombuffer(data, dtype=torch_dtype) if data else torch.empty(0, dtype=torch_dtype)
    if "strides" in body:
        tensor = torch.as_strided(flat, shape, body["strides"], body.get("offset", 0))
    elif flat.numel() != math.prod(shape):
        raise WireError("tensor data does not match its shape")
    else:
        tensor = flat.reshape(shape)
    if body.get("requires_grad") is True and (tensor.is_floating_point() or tensor.is_complex()):
        tensor = tensor.detach().requires_grad_(True)  # a leaf here, as it was there
    return tensor


def _decode_array(body, buffers):
    import numpy as np

    dtype = np.dtype(body["dtype"])
    if dtype.kind not in ARRAY_KINDS:
        raise WireError(f"array dtype {dtype} is not supported")
    shape = _shape(body)
    flat = np.frombuffer(_buffer(body, buffers), dtype=dtype)
    if flat.size != math.prod(shape):
        raise WireError("array data does not match its shape")
    return flat.reshape(shape)


SAFE_LIST_DTYPES = {"object", "str", "string", "bool", "boolean", "Int64", "Float64", "Int32"}


def _decode_column(body, buffers):
    import pandas as pd

    if "categorical" in body:
        cat = body["categorical"]
        categories = _decode_column(cat["categories"], buffers)
        codes = _decode_array(cat["codes"], buffers)
        return pd.Categorical.from_codes(codes, categories=categories, ordered=bool(cat["ordered"]))
    if "array" in body:
        return _decode_array(body["array"], buffers)
    values = [decode(v, buffers) if isinstance(v, dict) else v for v in body["list"]]
    if any(not (v is None or isinstance(v, (bool, int, float, str))) for v in values):
        raise WireError("column values must be plain scalars")
    dtype = body.get("dtype", "object")
    return pd.array(values, dtype=dtype if dtype in SAFE_LIST_DTYPES else "object")


def _decode_index(body, buffers):
    import pandas as pd

    if "range" in body:
        start, stop, step = body["range"]
        return pd.RangeIndex(start, stop, step, name=body.get("name"))
    return pd.Index(_decode_column(body["values"], buffers), name=body.get("name"))


def _decode_pandas(tag, body, buffers, on_ref):
    import pandas as pd

    if tag == "$index":
        return _decode_index(body, buffers)
    index = _decode_index(body["index"], buffers)
    if tag == "$series":
        name = decode(body["name"], buffers, on_ref)
        return pd.Series(_decode_column(body["data"], buffers), index=index, name=name, copy=True)
    columns = _decode_index(body["columns"], buffers)
    if len(columns) != len(body["data"]):
        raise WireError("data frame columns do not match their data")
    frame = pd.DataFrame(
        {i: pd.Series(_decode_column(col, buffers), index=index, copy=True)
         for i, col in enumerate(body["data"])},
        index=index,
    )
    frame.columns = columns
    return frame
