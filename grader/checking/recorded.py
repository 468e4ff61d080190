"""Recorded reference answers: the `reference` fixture of a student kit, with no solution in it.

A kit (`grade-admin student-kit`) gives students the public checks without the solution. The
checks ask `reference.softmax(X)` for the expected answer; in a kit that answer was computed
beforehand, by running the public checks against the solution with a `RecordingReference`, and
stored as data: `answers/<id>.json` (wire specs, `grader.in_sandbox.wire`) and `answers/<id>.bin`
(their raw bytes). No pickle, no code: only numbers, strings and shapes.

An answer is found by its *case*, never by the bits of its inputs: the check that asked (the
plugin names it, `begin_case`), the function's name, and the order of the calls of that name
in the check. The inputs are recorded too, and an answer is given only when the inputs of the
call match the recorded ones within float32's tolerance (`same_inputs`): inputs drawn from a
seed differ in their last bits from one CPU's torch kernels to another's (AVX2 or not, ARM),
and the check then compares the student's answer with the recorded one within its own
tolerance. Calls of the same name are tried in their recorded order first, then any other of
the case. When an argument is a tensor that requires a gradient (a check that backpropagates
through the reference), the Jacobian of the answer with respect to it is recorded too, and the
replayed answer carries it into `backward()`. A call whose inputs match no recorded one (they
depend on the student's own answer, say) cannot be judged from a kit: the check says so.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import numpy as np
import torch

from grader.checking.verdicts import KernelUnavailable
from grader.i18n import _
from grader.in_sandbox.wire import WireError, decode, encode

KIT_FORMAT = 2
MAX_JACOBIAN = 1_000_000  # elements: larger gradients are not recorded (the check cannot judge them)
INPUT_RTOL = 1e-4  # inputs match when each float is within this of the recorded one, relative to
INPUT_ATOL = 1e-5  # itself, or this times the largest magnitude of its tensor (float32's last bits)


class NotInKit(KernelUnavailable):
    """A check the kit cannot judge; the plugin shows it as "not graded: <why>"."""


def answers_paths(answers: Path) -> tuple[Path, Path]:
    return answers, answers.with_suffix(".bin")


def _plain(value: Any) -> Any:
    """A function argument by its name (checks pass the student's functions); anything else
    that is not plain data raises WireError."""
    if callable(value) and not isinstance(value, torch.Tensor):
        return {"$global": getattr(value, "__qualname__", type(value).__name__)}
    raise WireError(f"a {type(value).__name__}")


def same_inputs(got: Any, recorded: Any) -> bool:
    """Whether a call's inputs match the recorded ones: the same structure, shapes, dtypes and
    integers; floats within INPUT_RTOL / INPUT_ATOL (see the module's docstring)."""
    if isinstance(recorded, torch.Tensor):
        if not isinstance(got, torch.Tensor) or got.shape != recorded.shape or got.dtype != recorded.dtype:
            return False
        got, recorded = got.detach(), recorded.detach()
        if not recorded.is_floating_point() and not recorded.is_complex():
            return bool(torch.equal(got, recorded))
        scale = float(recorded.abs().max()) if recorded.numel() else 0.0
        return bool(torch.allclose(got, recorded, rtol=INPUT_RTOL, atol=INPUT_ATOL * scale, equal_nan=True))
    if isinstance(recorded, (np.ndarray, np.generic)):
        return same_inputs(_as_tensor(got), _as_tensor(recorded))
    if type(recorded).__module__.split(".")[0] == "pandas" and _is_frame(recorded):
        return _same_frames(got, recorded)
    if isinstance(recorded, float) and isinstance(got, (int, float)) and not isinstance(got, bool):
        return abs(got - recorded) <= INPUT_RTOL * abs(recorded) or got == recorded
    if isinstance(recorded, (list, tuple)):
        return (isinstance(got, (list, tuple)) and len(got) == len(recorded)
                and all(same_inputs(g, r) for g, r in zip(got, recorded)))
    if isinstance(recorded, dict):
        return (isinstance(got, dict) and list(got) == list(recorded)
                and all(same_inputs(got[k], recorded[k]) for k in recorded))
    return type(got) is type(recorded) and got == recorded


def _as_tensor(value: Any) -> Any:
    array = np.asarray(value) if isinstance(value, (np.ndarray, np.generic)) else None
    return value if array is None or array.dtype.kind not in "biuf" else torch.from_numpy(array.copy())


def _is_frame(value: Any) -> bool:
    import pandas as pd

    return isinstance(value, (pd.DataFrame, pd.Series, pd.Index))


def _same_frames(got: Any, recorded: Any) -> bool:
    import pandas as pd

    if type(got) is not type(recorded):
        return False
    same = {pd.DataFrame: pd.testing.assert_frame_equal, pd.Series: pd.testing.assert_series_equal,
            pd.Index: pd.testing.assert_index_equal}[type(recorded) if type(recorded) in
                                                     (pd.DataFrame, pd.Series) else pd.Index]
    try:
        same(got, recorded, check_exact=False, rtol=INPUT_RTOL)
    except (AssertionError, TypeError, ValueError):
        return False
    return True


def _inputs(args: tuple, kwargs: dict) -> list:
    return [[_detached(a) for a in args], {k: _detached(v) for k, v in sorted(kwargs.items())}]


def _comparable(args: tuple, kwargs: dict) -> list:
    """The inputs as the decoder gives them back (functions by name, tuples as lists)."""
    buffers: list = []
    return decode(encode(_inputs(args, kwargs), buffers, _plain), buffers, on_ref=lambda spec: spec,
                  max_bytes=1 << 62, max_elements=1 << 62)


class RecordingReference:
    """The reference module, noting each answer it gives and the case it was given in."""

    def __init__(self, module: Any) -> None:
        self._module = module
        self._case = ""
        self.buffers: list = []
        self.cases: dict[str, list[dict]] = {}

    def begin_case(self, case: str) -> None:
        """The plugin names the check that runs now: the answers that follow belong to it."""
        self._case = case

    def __getattr__(self, name: str) -> Any:
        """The reference's function `name`, recording each answer it gives."""
        if name.startswith("_"):
            raise AttributeError(name)
        function = getattr(self._module, name)

        @functools.wraps(function)
        def recording(*args: Any, **kwargs: Any) -> Any:
            answer = function(*args, **kwargs)
            self._record(name, args, kwargs, answer)
            return answer
        return recording

    def answer_of_mistake(self, name: str, function: Any, args: tuple, kwargs: dict) -> Any:
        """A known mistake's answer (`grader.checking.mistakes`), computed and recorded."""
        answer = function(*args, **kwargs)
        self._record(f"mistake:{name}", args, kwargs, answer)
        return answer

    def _record(self, name: str, args: tuple, kwargs: dict, answer: Any) -> None:
        start = len(self.buffers)
        try:
            entry = {"name": name, "inputs": encode(_inputs(args, kwargs), self.buffers, _plain),
                     "value": encode(_detached(answer), self.buffers)}
            if isinstance(answer, torch.Tensor) and answer.requires_grad:
                entry["jacobians"] = [[i, encode(jacobian, self.buffers)] for i, jacobian in _jacobians(answer, args)]
        except WireError:
            del self.buffers[start:]  # not plain data: the kit cannot replay it, and the check says so
            return
        self.cases.setdefault(self._case, []).append(entry)

    def save(self, answers: Path) -> None:
        spec_file, bytes_file = answers_paths(answers)
        spec_file.write_text(json.dumps({"format": KIT_FORMAT, "sizes": [len(bytes(b)) for b in self.buffers],
                                         "cases": self.cases}, sort_keys=True, indent=0), encoding="utf-8")
        bytes_file.write_bytes(b"".join(bytes(b) for b in self.buffers))


def _detached(value: Any) -> Any:
    return value.detach() if isinstance(value, torch.Tensor) else value


def _jacobians(answer: torch.Tensor, args: tuple) -> list[tuple[int, torch.Tensor]]:
    """(position, d answer / d args[position]) for each argument that requires a gradient."""
    positions = [i for i, a in enumerate(args) if isinstance(a, torch.Tensor) and a.requires_grad]
    inputs = [args[i] for i in positions]
    if not inputs or any(answer.numel() * x.numel() > MAX_JACOBIAN for x in inputs):
        return []
    rows = [[] for _input in inputs]
    flat = answer.reshape(-1)
    for k in range(flat.numel()):
        grads = torch.autograd.grad(flat[k], inputs, retain_graph=True, allow_unused=True)
        for row, grad, x in zip(rows, grads, inputs):
            row.append(torch.zeros_like(x).reshape(-1) if grad is None else grad.reshape(-1))
    return [(i, torch.stack(row) if row else torch.zeros(0, x.numel(), dtype=x.dtype))
            for i, row, x in zip(positions, rows, inputs)]


class _Replayed(torch.autograd.Function):
    """The recorded answer, connected to its inputs through the recorded Jacobians."""

    @staticmethod
    def forward(ctx: Any, value: torch.Tensor, jacobians: dict, *inputs: torch.Tensor) -> torch.Tensor:
        ctx.jacobians = jacobians
        ctx.shapes = [x.shape for x in inputs]
        return value.clone()

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> tuple:
        flat = grad.reshape(-1)
        grads = [None if position not in ctx.jacobians
                 else (flat.to(ctx.jacobians[position].dtype) @ ctx.jacobians[position]).reshape(shape)
                 for position, shape in enumerate(ctx.shapes)]
        return (None, None, *grads)


class RecordedReference:
    """The `reference` fixture of a kit: `reference.softmax(X)` answers from the recording."""

    def __init__(self, answers: Path) -> None:
        spec_file, bytes_file = answers_paths(answers)
        data = json.loads(spec_file.read_text(encoding="utf-8"))
        blob, offset, self._buffers = bytes_file.read_bytes(), 0, []
        for size in data["sizes"]:
            self._buffers.append(blob[offset:offset + size])
            offset += size
        self._cases: dict[str, list[dict]] = data.get("cases", {})
        self.begin_case("")

    def begin_case(self, case: str) -> None:
        """The plugin names the check that runs now: its answers are looked up from here on."""
        self._entries = self._cases.get(case, [])
        self._asked: dict[str, int] = {}

    def _find(self, name: str, args: tuple, kwargs: dict) -> dict | None:
        """The recorded entry of this call (see the module's docstring), or None."""
        order = self._asked.get(name, 0)
        self._asked[name] = order + 1
        same_name = [entry for entry in self._entries if entry["name"] == name]
        if not same_name:
            return None
        try:
            inputs = _comparable(args, kwargs)
        except WireError:
            return None
        for entry in [*same_name[order:order + 1], *same_name]:
            if same_inputs(inputs, self._decode(entry["inputs"])):
                return entry
        return None

    def __getattr__(self, name: str) -> Any:
        """`name` as the reference function: it answers from the recording."""
        if name.startswith("_"):
            raise AttributeError(name)

        def replaying(*args: Any, **kwargs: Any) -> Any:
            entry = self._find(name, args, kwargs)
            if entry is None:
                raise NotInKit(_("the expected answer of this check depends on your own results, so only "
                                 "your instructor's grader can judge it (the kit has no {name} for these "
                                 "inputs)").format(name=name))
            value = self._decode(entry["value"])
            jacobians = {i: self._decode(spec) for i, spec in entry.get("jacobians", [])}
            if isinstance(value, torch.Tensor) and jacobians:
                return _Replayed.apply(value, jacobians, *args)
            return value
        return replaying

    def answer_of_mistake(self, name: str, function: Any, args: tuple, kwargs: dict) -> Any:
        """A known mistake's recorded answer; None (it matches nothing) when there is none."""
        entry = self._find(f"mistake:{name}", args, kwargs)
        return None if entry is None else self._decode(entry["value"])

    def _decode(self, spec: Any) -> Any:
        return decode(spec, self._buffers, on_ref=lambda ref: ref, max_bytes=1 << 62, max_elements=1 << 62)


@functools.lru_cache(maxsize=16)
def _load(answers: Path, _mtime: int) -> RecordedReference:
    return RecordedReference(answers)


def load_recorded(answers: Path) -> RecordedReference:
    """The recorded reference of a kit's `answers/<id>.json`, loaded once per process and file."""
    return _load(answers.resolve(), answers.stat().st_mtime_ns)
