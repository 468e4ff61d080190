"""The student's live kernel, seen from a check: calls go in, plain data comes back.

`student.softmax(X)` sends `X` (raw bytes) to the kernel's agent, which calls the student's
`softmax` there; the answer is decoded into fresh objects in this process. Objects that are not
plain data (a model, a function) stay in the kernel and come back as `Remote` handles, whose
attributes and methods are reached the same way. Failures are exceptions a check need not
catch: the plugin turns them into messages.
"""

from __future__ import annotations

import itertools
import queue
import time
import uuid
from typing import Any

from jupyter_client import BlockingKernelClient

from grader.check_tools.describe import describe_call
from grader.in_sandbox.wire import WireError, decode, encode

COMM_TARGET = "grader.responder"


class StudentCallError(Exception):
    """A call into the student's code did not give a value. `str()` is the student's message."""

    hidden_text = "did not run"

    def __init__(self, call: str, text: str) -> None:
        super().__init__(text)
        self.call = call


class StudentRaised(StudentCallError):
    def __init__(self, call: str, etype: str, evalue: str, where: str = "") -> None:
        at = f" ({where})" if where else ""
        evalue = evalue if len(evalue) < 300 else evalue[:300] + "…"
        super().__init__(call, f"{call} raised {etype}{at}: {evalue}" if evalue else f"{call} raised {etype}{at}")
        self.etype = etype
        self.hidden_text = f"raised {etype}"


class StudentMissing(StudentCallError):
    def __init__(self, call: str, name: str) -> None:
        super().__init__(call, f"{name} is not defined in the notebook (did its cell run without errors?)")
        self.name = name
        self.hidden_text = f"{name} is not defined"


class StudentTimeout(StudentCallError):
    def __init__(self, call: str, seconds: float) -> None:
        super().__init__(call, f"{call} did not return within {seconds:.0f} s (an endless loop?)")
        self.hidden_text = "did not return in time"


class KernelGone(StudentCallError):
    def __init__(self, call: str) -> None:
        super().__init__(call, f"{call} could not run: the notebook's kernel had died")
        self.hidden_text = "the kernel had died"


class BadAnswer(StudentCallError):
    def __init__(self, call: str, problem: str) -> None:
        super().__init__(call, f"{call} returned something that is not plain data ({problem})")
        self.hidden_text = "returned something that is not plain data"


class Remote:
    """A handle on an object that lives in the kernel: attributes and calls go there."""

    __slots__ = ("_student", "_ref", "_label")

    def __init__(self, student: Student, ref: dict, label: str) -> None:
        object.__setattr__(self, "_student", student)
        object.__setattr__(self, "_ref", ref)
        object.__setattr__(self, "_label", label)

    def __getattr__(self, attr: str) -> Remote:
        if attr.startswith("__"):
            raise AttributeError(attr)
        ref = {**self._ref, "attrs": [*self._ref.get("attrs", []), attr]}
        return Remote(self._student, ref, f"{self._label}.{attr}")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._student.call(self, *args, **kwargs)

    def __repr__(self) -> str:
        return f"<in the kernel: {self._label}>"


class Student:
    SLOW_RETRY = 3.0  # seconds per call once the submission has shown an endless loop

    def __init__(self, connection_info: dict, source: str, call_timeout: float = 30.0,
                 is_alive=lambda: True, interrupt_grace: float = 2.0) -> None:  # noqa: ANN001
        self.source = source
        self.call_timeout = call_timeout
        self.deadline: float | None = None  # set per check by the plugin
        self.interrupt_grace = interrupt_grace
        self._is_alive = is_alive
        self._ids = itertools.count(1)
        self._dead = False
        self._looped = False  # once a call ran out of time, later calls get SLOW_RETRY at most
        self._kc = BlockingKernelClient()
        self._kc.load_connection_info(connection_info)
        self._kc.start_channels()
        self._comm_id = uuid.uuid4().hex
        self._wait_for_iopub()
        self._send("comm_open", {"comm_id": self._comm_id, "target_name": COMM_TARGET, "data": {}})

    # -- what checks use ------------------------------------------------------------------
    def __getattr__(self, name: str) -> Remote:
        if name.startswith("_"):
            raise AttributeError(name)
        return Remote(self, {"$global": name}, name)

    def __getitem__(self, name: str) -> Remote:
        return Remote(self, {"$global": name}, name)

    def call(self, target: Remote, *args: Any, as_ref: bool = False, **kwargs: Any) -> Any:
        label = describe_call(target._label, args, kwargs)
        buffers: list = []
        try:
            data = {"op": "call", "target": target._ref, "as_ref": as_ref,
                    "args": encode(list(args), buffers, self._ref_spec),
                    "kwargs": {"$dict": [[k, encode(v, buffers, self._ref_spec)] for k, v in kwargs.items()]}}
        except WireError as error:
            raise TypeError(f"check error: cannot send {error}") from None
        return self._request(data, buffers, label, target._label)

    def get(self, target: Remote) -> Any:
        return self._request({"op": "get", "target": target._ref}, [], target._label, target._label)

    def define(self, source: str, name: str) -> Remote:
        """Run grader code (not the student's) in the kernel; return a handle on `name`."""
        return self._request({"op": "define", "source": source, "name": name}, [], name, name)

    def seed(self, seed: int) -> None:
        self._request({"op": "seed", "seed": seed}, [], "seeding", "seeding")

    def close(self) -> None:
        self._kc.stop_channels()

    # -- the wire -------------------------------------------------------------------------
    def _ref_spec(self, value: Any) -> dict:
        if isinstance(value, Remote):
            return value._ref
        raise WireError(f"a {type(value).__name__}")

    def _send(self, msg_type: str, content: dict, buffers: list | None = None, channel=None) -> str:  # noqa: ANN001
        channel = channel or self._kc.shell_channel
        msg = self._kc.session.msg(msg_type, content)
        self._kc.session.send(channel.socket, msg, buffers=buffers or [])
        return msg["header"]["msg_id"]

    def _wait_for_iopub(self) -> None:
        """Make sure the iopub subscription is live before the first reply is published."""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            msg_id = self._kc.kernel_info()
            end = time.monotonic() + 0.5
            while time.monotonic() < end:
                try:
                    msg = self._kc.get_iopub_msg(timeout=0.1)
                except queue.Empty:
                    continue
                if msg["parent_header"].get("msg_id") == msg_id:
                    return
        raise RuntimeError("the kernel does not answer")

    def _timeout(self) -> float:
        limit = self.SLOW_RETRY if self._looped else self.call_timeout
        if self.deadline is not None:
            limit = min(limit, self.deadline - time.monotonic())
        return max(limit, 0.5)

    def _request(self, data: dict, buffers: list, label: str, name: str) -> Any:
        if self._dead or not self._is_alive():
            self._dead = True
            raise KernelGone(label)
        request_id = next(self._ids)
        data["id"] = request_id
        self._send("comm_msg", {"comm_id": self._comm_id, "data": data}, buffers)
        timeout = self._timeout()
        reply = self._await_reply(request_id, time.monotonic() + timeout, label)
        if reply is None:
            self._send("interrupt_request", {}, channel=self._kc.control_channel)
            reply = self._await_reply(request_id, time.monotonic() + self.interrupt_grace, label)
            if reply is None:
                self._dead = True  # it ignores interrupts: nothing more can run there
            self._looped = True
            raise StudentTimeout(label, timeout)
        content, reply_buffers = reply
        if not content.get("ok"):
            kind = content.get("kind")
            if kind == "missing":
                raise StudentMissing(label, content.get("evalue") or name)
            if kind == "interrupted":
                self._looped = True
                raise StudentTimeout(label, timeout)
            raise StudentRaised(label, str(content.get("etype", "an error")),
                                str(content.get("evalue", "")), str(content.get("where", "")))
        value = content.get("value")
        if isinstance(value, dict) and "$ref" in value:
            return Remote(self, {"$ref": value["$ref"]}, f"{name}(…)" if data["op"] == "call" else name)
        try:
            return decode(value, reply_buffers, self._remote_in_reply(name))
        except (WireError, KeyError, TypeError, ValueError, RuntimeError) as error:
            raise BadAnswer(label, str(error)) from None

    def _remote_in_reply(self, name: str):  # noqa: ANN202
        def make(spec: dict) -> Remote:
            return Remote(self, {"$ref": spec["$ref"]}, f"an object from {name}")
        return make

    def _await_reply(self, request_id: int, deadline: float, label: str) -> tuple[dict, list] | None:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            try:
                msg = self._kc.get_iopub_msg(timeout=min(left, 0.5))
            except queue.Empty:
                if not self._is_alive():
                    self._dead = True
                    raise KernelGone(label) from None
                continue
            if msg["msg_type"] != "comm_msg" or msg["content"].get("comm_id") != self._comm_id:
                continue
            content = msg["content"].get("data") or {}
            if content.get("id") == request_id:
                return content, msg.get("buffers") or []
