"""The wire's values: tensors and arrays as raw bytes, floats that JSON cannot hold, and the
bounds of what one reply may decode to (see `wire.py`).

Sent into the kernel as text ahead of `wire.py` (see `grader.in_sandbox.program`): it imports
nothing of the grader, and torch and numpy only lazily.
"""

import math
import re

TENSOR_DTYPES = (
    "float16", "bfloat16", "float32", "float64", "complex64", "complex128",
    "int8", "int16", "int32", "int64", "uint8", "bool",
)

ARRAY_KINDS = "biufc"  # numpy dtype kinds that travel as bytes

MAX_BYTES = 64 * 1024**2  # raw buffer bytes in one reply

MAX_ELEMENTS = 16 * 1024**2  # elements in one decoded value (a float64 copy: 128 MiB)

MAX_DEPTH = 64  # containers within containers

MAX_EQUAL_HASHES = 64  # keys of one reply that may share a hash (a dict of colliding keys is quadratic)

MAX_NUMBER_TEXT = 400  # characters of a big integer or special float sent as text

ARRAY_DTYPE = re.compile(r"[<>|=]?[biufc][0-9]{1,2}")  # numpy's `dtype.str` of ARRAY_KINDS


class WireError(ValueError):
    """A spec that does not describe plain data, or one past a bound: the only error decoding raises."""


class _Received(list):
    """The buffers of one reply, and what is left of its bounds while it is decoded: elements,
    depth, keys sharing a hash, and each buffer used once (a buffer shared by many views would
    keep its bytes many times over)."""

    def __init__(self, buffers, max_elements):
        super().__init__(buffers)
        self.left = max_elements
        self.depth = 0
        self.equal_hashes = 0
        self.used = set()

    def take(self, count):
        if not isinstance(count, int) or count < 0:
            raise WireError("bad length")
        self.left -= count
        if self.left < 0:
            raise WireError("the answer is too large to check")

    def enter(self):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise WireError(f"the answer is nested more than {MAX_DEPTH} deep")

    def leave(self):
        self.depth -= 1

    def keys(self, keys):
        """`keys` of one dict, refused when too many of the reply's keys share a hash."""
        self.equal_hashes += len(keys) - len({hash(key) for key in keys})
        if self.equal_hashes > MAX_EQUAL_HASHES:
            raise WireError("too many keys with equal hashes")
        return keys

    def buffer(self, index):
        if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < len(self):
            raise WireError("missing data buffer")
        if index in self.used:
            raise WireError("a data buffer used twice")
        self.used.add(index)
        return bytearray(self[index])


def _number_text(body):
    if not isinstance(body, str) or len(body) > MAX_NUMBER_TEXT:
        raise WireError("a number too long to check")
    return body


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
        if not t.is_contiguous() and t.numel() * t.element_size() > t.untyped_storage().nbytes():
            t = t.contiguous()  # a broadcast view (expand): its elements, not its few bytes
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


def _shape(body, buffers):
    shape = body["shape"]
    if not isinstance(shape, list) or len(shape) > 64 or not all(_count(n) for n in shape):
        raise WireError("bad shape")
    buffers.take(math.prod(shape))  # before anything of that size is made
    return shape


def _count(n):
    return isinstance(n, int) and not isinstance(n, bool) and n >= 0


def _strided(flat, shape, body):
    """A view of `flat` with the spec's strides and offset, refused unless every element it
    addresses lies inside `flat` (checked in Python integers, before torch sees them)."""
    strides, offset = body["strides"], body.get("offset", 0)
    if not isinstance(strides, list) or len(strides) != len(shape) \
            or not all(_count(s) for s in strides) or not _count(offset):
        raise WireError("bad strides")
    if math.prod(shape) > flat.numel():  # a broadcast (zero strides) is sent whole, not as a view
        raise WireError("a tensor view larger than its data")
    if math.prod(shape) and offset + sum((n - 1) * s for n, s in zip(shape, strides)) >= flat.numel():
        raise WireError("tensor strides reach past its data")
    return flat.as_strided(shape, strides, offset)


def _decode_tensor(body, buffers):
    import torch

    dtype = body["dtype"]
    if not isinstance(dtype, str) or dtype not in TENSOR_DTYPES:
        raise WireError(f"tensor dtype {str(dtype)[:40]!r} is not supported")
    torch_dtype = getattr(torch, dtype)
    shape = _shape(body, buffers)
    data = buffers.buffer(body["buffer"])
    flat = torch.frombuffer(data, dtype=torch_dtype) if data else torch.empty(0, dtype=torch_dtype)
    if "strides" in body:
        tensor = _strided(flat, shape, body)
    elif flat.numel() != math.prod(shape):
        raise WireError("tensor data does not match its shape")
    else:
        tensor = flat.reshape(shape)
    if body.get("requires_grad") is True and (tensor.is_floating_point() or tensor.is_complex()):
        tensor = tensor.detach().requires_grad_(True)  # a leaf here, as it was there
    return tensor


def _decode_array(body, buffers):
    import numpy as np

    if not isinstance(body["dtype"], str) or not ARRAY_DTYPE.fullmatch(body["dtype"]):
        raise WireError(f"array dtype {str(body['dtype'])[:40]!r} is not supported")
    dtype = np.dtype(body["dtype"])
    shape = _shape(body, buffers)
    flat = np.frombuffer(buffers.buffer(body["buffer"]), dtype=dtype)
    if flat.size != math.prod(shape):
        raise WireError("array data does not match its shape")
    return flat.reshape(shape)
