"""Normal draws that are the same bits on every CPU, for the checks of a student kit.

`torch.randn` draws its numbers through log and cos, whose last bits depend on the CPU's torch
kernels (AVX2 or the portable ones, x86 or ARM): a kit's recorded answer on one machine would
not be the answer to the input another machine draws. While a check runs against a kit's
answers (recording them, or replaying them), `PortableRandom` makes the checks' own `randn`,
`randn_like`, `normal` and `Tensor.normal_` portable: each number is the sum of twelve float32
uniform draws (exact multiples of 2**-24, so their sum in float64 is exact in any order) minus
6, rounded once to the asked dtype (Irwin-Hall: mean 0, variance 1, within ±6). Integers and
uniform draws are portable already. The student's own code never sees it: `LocalStudent`
leaves it while the student's functions run (`student_side`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

import torch
from torch.overrides import TorchFunctionMode

TERMS = 12


def portable_normal(shape: tuple[int, ...], dtype: torch.dtype | None = None,
                    generator: torch.Generator | None = None) -> torch.Tensor:
    """Standard normal draws of `shape`, bit-identical on every CPU (see the module's docstring)."""
    uniforms = torch.rand((*shape, TERMS), dtype=torch.float32, generator=generator)
    return (uniforms.double().sum(dim=-1) - TERMS / 2).to(dtype or torch.get_default_dtype())


def _shape(size: tuple) -> tuple[int, ...]:
    if len(size) == 1 and isinstance(size[0], (tuple, list, torch.Size)):
        return tuple(size[0])
    return tuple(size)


class PortableRandom(TorchFunctionMode):
    """The checks' normal draws made portable while the mode is on (see the module's docstring)."""

    def __torch_function__(self, func: Any, types: Any, args: tuple = (), kwargs: dict | None = None) -> Any:
        """Every torch call while the mode is on: the normal draws made portable, the rest as is."""
        kwargs = dict(kwargs or {})
        if _STUDENT.get():
            return func(*args, **kwargs)
        if func is torch.randn and "out" not in kwargs and kwargs.get("dtype", torch.float32) in FLOATS:
            draws = portable_normal(_shape(args), kwargs.get("dtype"), kwargs.get("generator"))
            return draws.requires_grad_(bool(kwargs.get("requires_grad", False)))
        if func is torch.randn_like and args[0].dtype in FLOATS:
            return portable_normal(tuple(args[0].shape), kwargs.get("dtype", args[0].dtype))
        if func is torch.Tensor.normal_ and args[0].dtype in FLOATS and not args[0].requires_grad:
            mean, std = _mean_std(*args[1:], **kwargs)
            with torch.no_grad():
                return args[0].copy_(portable_normal(tuple(args[0].shape), args[0].dtype,
                                                     kwargs.get("generator")) * std + mean)
        return func(*args, **kwargs)


FLOATS = (torch.float32, torch.float64, None)
_STUDENT: ContextVar[bool] = ContextVar("student_side", default=False)


def _mean_std(mean: float = 0.0, std: float = 1.0, **_: Any) -> tuple[float, float]:
    return mean, std


@contextlib.contextmanager
def student_side() -> Iterator[None]:
    """Leave PortableRandom (and any mode of the checks' side) while the student's code runs."""
    token = _STUDENT.set(True)
    try:
        yield
    finally:
        _STUDENT.reset(token)
