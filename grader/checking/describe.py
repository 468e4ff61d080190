"""Short descriptions for messages students read: values by shape and dtype (never contents),
calls by their function and arguments, and the student's own line where their code raised."""

from __future__ import annotations

CHECKS_OWN = "a function of the check"  # how messages show a function a check sent (`define`)


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


def student_function(qualname: str) -> str:
    """'SoftmaxRegressionScratch.forward' of a qualified name, without `<locals>`, `<lambda>`…"""
    return ".".join(part for part in qualname.split(".") if part and not part.startswith("<"))


def describe_place(place: dict, cell: str = "") -> str:
    """'at line 3 of code cell 5 (return X @ W)': where the student's code raised, from the
    responder's place ({"function", "line", "text"}); '' when it gave no line. `cell` is the code
    cell's label when it is known; else the cell is named by the function it defines."""
    line = place.get("line")
    if not isinstance(line, int) or isinstance(line, bool) or line <= 0:
        return ""
    if not cell:
        defined = student_function(str(place.get("function", ""))).split(".")[0]
        cell = f"the cell that defines {defined}" if defined else "a code cell"
    text = " ".join(str(place.get("text", "")).split())
    text = text if len(text) <= 80 else text[:79] + "…"
    return f"at line {line} of {cell}" + (f" ({text})" if text else "")


def students_part(args: tuple, kwargs: dict) -> str:
    """The label of the first of the student's objects among a call's arguments (a handle on an
    object in the kernel that is not a check's own function): what a call of a check's function
    runs of the student's; CHECKS_OWN when it runs none."""
    pending = [*args, *kwargs.values()]
    while pending:
        value = pending.pop(0)
        if getattr(value, "_checks_own", None) is False and isinstance(getattr(value, "_label", None), str):
            return value._label
        if isinstance(value, (list, tuple)):
            pending[:0] = list(value)
        elif isinstance(value, dict):
            pending[:0] = list(value.values())
    return CHECKS_OWN
