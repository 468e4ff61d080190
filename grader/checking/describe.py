"""Short descriptions for messages students read: values by shape and dtype (never contents),
calls by their function and arguments, and the student's own line where their code raised."""

from __future__ import annotations

from grader.i18n import N_, _

CHECKS_OWN = N_("a function of the check")  # how messages show a function a check sent (`define`)


def describe(value) -> str:  # noqa: ANN001 - any value
    import numpy as np
    import pandas as pd
    import torch

    if isinstance(value, torch.Tensor):
        dtype = str(value.dtype).removeprefix("torch.")
        if value.dim() == 0:
            return _("a 0-dim {dtype} tensor").format(dtype=dtype)
        return _("a {dtype} tensor of shape {shape}").format(dtype=dtype, shape=tuple(value.shape))
    if isinstance(value, np.ndarray):
        return _("a {dtype} array of shape {shape}").format(dtype=value.dtype, shape=value.shape)
    if isinstance(value, pd.DataFrame):
        return _("a DataFrame of shape {shape} (columns {columns})").format(
            shape=value.shape, columns=list(map(str, value.columns)))
    if isinstance(value, pd.Series):
        return _("a Series of length {length} ({dtype})").format(length=len(value), dtype=value.dtype)
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, (int, float)):
        return repr(value) if len(repr(value)) < 24 else _("a {type}").format(type=type(value).__name__)
    if isinstance(value, str):
        return _("a string")
    if isinstance(value, (list, tuple)):
        kind = type(value).__name__
        if not value:
            return _("an empty {kind}").format(kind=kind)
        if len(value) <= 3:
            return _("a {kind} of {items}").format(kind=kind, items=", ".join(describe(v) for v in value))
        return _("a {kind} of {count} items").format(kind=kind, count=len(value))
    if isinstance(value, dict):
        return _("a dict of {count} items").format(count=len(value))
    label = getattr(value, "_label", None)  # a handle on an object in the kernel
    if isinstance(label, str):
        return label
    return _("a {type}").format(type=type(value).__name__)


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
        cell = _("the cell that defines {name}").format(name=defined) if defined else _("a code cell")
    text = " ".join(str(place.get("text", "")).split())
    text = text if len(text) <= 80 else text[:79] + "…"
    return (_("at line {line} of {cell} ({code})") if text else _("at line {line} of {cell}")).format(
        line=line, cell=cell, code=text)


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
    return _(CHECKS_OWN)
