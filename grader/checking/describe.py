"""Short descriptions of values for messages students read: shapes and dtypes, never contents."""

from __future__ import annotations


def describe(value) -> str:  # noqa: ANN001 - any value
    import numpy as np
    import pandas as pd
    import torch

    if isinstance(value, torch.Tensor):
        dtype = str(value.dtype).removeprefix("torch.")
        if value.dim() == 0:
            return f"a 0-dim {dtype} tensor"
        return f"a {dtype} tensor of shape {tuple(value.shape)}"
    if isinstance(value, np.ndarray):
        return f"a {value.dtype} array of shape {value.shape}"
    if isinstance(value, pd.DataFrame):
        return f"a DataFrame of shape {value.shape} (columns {list(map(str, value.columns))})"
    if isinstance(value, pd.Series):
        return f"a Series of length {len(value)} ({value.dtype})"
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, (int, float)):
        return repr(value) if len(repr(value)) < 24 else f"a {type(value).__name__}"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (list, tuple)):
        kind = type(value).__name__
        if len(value) <= 3:
            return f"a {kind} of " + ", ".join(describe(v) for v in value) if value else f"an empty {kind}"
        return f"a {kind} of {len(value)} items"
    if isinstance(value, dict):
        return f"a dict of {len(value)} items"
    label = getattr(value, "_label", None)  # a handle on an object in the kernel
    if isinstance(label, str):
        return label
    return f"a {type(value).__name__}"


def describe_call(name: str, args: tuple, kwargs: dict) -> str:
    parts = [describe(a) for a in args] + [f"{k}={describe(v)}" for k, v in kwargs.items()]
    text = f"{name}({', '.join(parts)})"
    return text if len(text) <= 160 else f"{name}(…)"
