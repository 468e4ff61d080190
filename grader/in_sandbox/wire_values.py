"""The wire's values: tensors and arrays as raw bytes, floats that JSON cannot hold, and the
bounds of what one reply may decode to (see `wire.py`).

Sent into the kernel as text ahead of `wire.py` (see `grader.in_sandbox.program`): it imports
nothing of the grader, and torch and numpy only lazily.
"""

import math

TENSOR_DTYPES = (
    "float16", "bfloat16", "float32", "float64", "complex64", "complex128",
    "int8", "int16", "int32", "int64", "uint8", "bool",
)

ARRAY_KINDS = "biufc"  # numpy dtype kinds that travel as bytes

MAX_BYTES = 256 * 1024**2  # raw buffer bytes in one reply

MAX_ELEMENTS = 64 * 1024**2  # elements in one decoded value


class WireError(ValueError):
    """A spec that does not describe plain data."""


class _Received(list):
    """The buffers of one reply, and what is left of its element budget while it is decoded."""

    def __init__(self, buffers, max_elements):
        super().__init__(buffers)
        self.left = max_elements

    def take(self, count):
        if not isinstance(count, int) or count < 0:
            raise WireError("bad length")
        self.left -= count
        if self.left < 0:
            raise WireError("the answer is too large to check")


def _float_spec(x):
    if math.isfinite(x):
        return x
    return {"$float": "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")}


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


def _buffer(body, buffers):
    index = body["buffer"]
    if not isinstance(index, int) or not 0 <= index < len(buffers):
        raise WireError("missing data buffer")
    return bytearray(buffers[index])


def _shape(body, buffers):
    shape = body["shape"]
    if not isinstance(shape, list) or len(shape) > 64 \
            or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in shape):
        raise WireError("bad shape")
    buffers.take(math.prod(shape))
    return shape


def _decode_tensor(body, buffers):
    import torch

    dtype = body["dtype"]
    if dtype not in TENSOR_DTYPES:
        raise WireError(f"tensor dtype {dtype!r} is not supported")
    torch_dtype = getattr(torch, dtype)
    shape = _shape(body, buffers)
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
    shape = _shape(body, buffers)
    flat = np.frombuffer(_buffer(body, buffers), dtype=dtype)
    if flat.size != math.prod(shape):
        raise WireError("array data does not match its shape")
    return flat.reshape(shape)
