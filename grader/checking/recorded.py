"""Recorded reference answers: the `reference` fixture of a student kit, with no solution in it.

A kit (`grade-admin student-kit`) gives students the public checks without the solution. The
checks ask `reference.softmax(X)` for the expected answer; in a kit that answer was computed
beforehand, by running the public checks against the solution with a `RecordingReference`, and
stored as data: `answers/<id>.json` (wire specs, `grader.in_sandbox.wire`) and `answers/<id>.bin`
(their raw bytes). No pickle, no code: only numbers, strings and shapes.

An answer is found by the function's name and a digest of its encoded arguments. When an
argument is a tensor that requires a gradient (a check that backpropagates through the
reference), the Jacobian of the answer with respect to it is recorded too, and the replayed
answer carries it into `backward()`. A call that was not recorded (its arguments depend on the
student's own answer, say) cannot be judged from a kit: the check says so ("not graded: …").
"""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path
from typing import Any

import torch

from grader.checking.verdicts import KernelUnavailable
from grader.i18n import _
from grader.in_sandbox.wire import WireError, decode, encode

KIT_FORMAT = 1
MAX_JACOBIAN = 1_000_000  # elements: larger gradients are not recorded (the check cannot judge them)


class NotInKit(KernelUnavailable):
    """A check the kit cannot judge; the plugin shows it as "not graded: <why>"."""


def answers_paths(answers: Path) -> tuple[Path, Path]:
    return answers, answers.with_suffix(".bin")


def call_key(name: str, args: tuple, kwargs: dict) -> str:
    """The function's name and a digest of its encoded arguments (a function argument by name)."""
    buffers: list = []

    def by_name(value: Any) -> dict:
        if callable(value):
            return {"$function": getattr(value, "__qualname__", type(value).__name__)}
        raise WireError(f"a {type(value).__name__}")

    spec = encode([list(args), dict(sorted(kwargs.items()))], buffers, by_name)
    digest = hashlib.sha256(json.dumps(spec, sort_keys=True).encode())
    for buffer in buffers:
        digest.update(bytes(buffer))
    return f"{name}:{digest.hexdigest()[:24]}"


def _wants_grad(args: tuple) -> list[int]:
    return [i for i, a in enumerate(args) if isinstance(a, torch.Tensor) and a.requires_grad]


class RecordingReference:
    """The reference module, noting each answer it gives (see the module's docstring)."""

    def __init__(self, module: Any) -> None:
        self._module = module
        self.buffers: list = []
        self.answers: dict[str, dict] = {}
        self.unrecorded: set[str] = set()  # names whose answers are not plain data

    def __getattr__(self, name: str) -> Any:
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
        try:
            key = call_key(name, args, kwargs)
            entry = {"value": encode(_detached(answer), self.buffers)}
        except WireError:
            self.unrecorded.add(name)
            return
        if isinstance(answer, torch.Tensor) and answer.requires_grad:
            entry["jacobians"] = [[i, encode(jacobian, self.buffers)]
                                  for i, jacobian in _jacobians(answer, args)]
        self.answers[key] = entry

    def save(self, answers: Path) -> None:
        spec_file, bytes_file = answers_paths(answers)
        spec_file.write_text(json.dumps({"format": KIT_FORMAT, "sizes": [len(bytes(b)) for b in self.buffers],
                                         "answers": self.answers}, sort_keys=True), encoding="utf-8")
        bytes_file.write_bytes(b"".join(bytes(b) for b in self.buffers))


def _detached(value: Any) -> Any:
    return value.detach() if isinstance(value, torch.Tensor) else value


def _jacobians(answer: torch.Tensor, args: tuple) -> list[tuple[int, torch.Tensor]]:
    """(position, d answer / d args[position]) for each argument that requires a gradient."""
    positions = _wants_grad(args)
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
        self._answers: dict[str, dict] = data["answers"]

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)

        def replaying(*args: Any, **kwargs: Any) -> Any:
            entry = self._answers.get(call_key(name, args, kwargs))
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
        entry = self._answers.get(call_key(f"mistake:{name}", args, kwargs))
        return None if entry is None else self._decode(entry["value"])

    def _decode(self, spec: Any) -> Any:
        return decode(spec, self._buffers, max_bytes=1 << 62, max_elements=1 << 62)


@functools.lru_cache(maxsize=16)
def _load(answers: Path, _mtime: int) -> RecordedReference:
    return RecordedReference(answers)


def load_recorded(answers: Path) -> RecordedReference:
    """The recorded reference of a kit's `answers/<id>.json`, loaded once per process and file."""
    return _load(answers.resolve(), answers.stat().st_mtime_ns)
