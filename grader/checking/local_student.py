"""A `Student` for a namespace in this very process: the notebook's own kernel, checking itself.

Inside a student's notebook (`grader.in_notebook.check`) and when a kit records the reference's
answers (`grader.instructor.student_kit`), there is no second kernel to call: the checks run where
the functions live. `LocalStudent(namespace)` is the ordinary `Student` on a channel that hands
each request straight to the kernel side's `Responder` on that namespace, so every argument and
every answer still goes through the wire codec (`grader.in_sandbox.wire`): a check receives
fresh plain data, exactly as from a kernel, and its messages are the same.

A kernel has random generators of its own: here the two sides share this process's, so the
channel swaps their states around each request (`RandomStates`), and `close` puts back the ones
the notebook had, so a check leaves no trace on the notebook's random numbers.

A call cannot be interrupted from the same thread: one that runs past its check's time limit is
judged as the grader judges it once it returns, and an endless loop is stopped with the
notebook's own interrupt button.
"""

from __future__ import annotations

import collections
import random
from typing import Callable

import numpy as np
import torch

from grader.checking.missing import ExplainsMissing
from grader.checking.portable_random import student_side
from grader.in_sandbox.responder import Responder


class RandomStates:
    """The states of Python's, numpy's and torch's (CPU) random generators, taken and put back."""

    def __init__(self) -> None:
        self.states = (random.getstate(), np.random.get_state(), torch.get_rng_state())

    def restore(self) -> None:
        random.setstate(self.states[0])
        np.random.set_state(self.states[1])
        torch.set_rng_state(self.states[2])


class LocalChannel:
    """A `Channel` whose requests are answered at once, in this process, by a `Responder`."""

    def __init__(self, namespace: dict) -> None:
        self.responder = Responder(namespace)
        self._replies: collections.deque = collections.deque()
        self._comm_id = ""
        self._notebook_states = RandomStates()  # as the notebook had them: put back by close()
        self._student_states = RandomStates()  # the kernel side's, between requests

    def send(self, msg_type: str, content: dict, buffers: list | None = None, control: bool = False) -> str:
        if msg_type == "comm_open":
            self._comm_id = content["comm_id"]
        elif msg_type == "comm_msg":
            checks_states = RandomStates()
            self._student_states.restore()
            try:
                with student_side():
                    reply, out = self.responder.answer(content["data"], [bytes(b) for b in buffers or []])
            finally:
                self._student_states = RandomStates()
                checks_states.restore()
            self._replies.append({"msg_type": "comm_msg", "parent_header": {},
                                  "content": {"comm_id": self._comm_id, "data": reply},
                                  "buffers": out})
        return msg_type

    def request_kernel_info(self) -> str:
        self._replies.append({"msg_type": "status", "parent_header": {"msg_id": "info"}, "content": {}})
        return "info"

    def next_iopub(self, timeout: float) -> dict | None:
        return self._replies.popleft() if self._replies else None

    def close(self) -> None:
        self._replies.clear()
        self._notebook_states.restore()


class LocalStudent(ExplainsMissing):
    """`Student` on a namespace of this process (see the module's docstring)."""

    def __init__(self, namespace: dict, source: str = "",
                 explain_missing: Callable[[str], str] | None = None) -> None:
        self.explain_missing = explain_missing
        super().__init__(None, source, call_timeout=float("inf"), client=LocalChannel(namespace))
