"""The student's live kernel, seen from a check: calls go in, plain data comes back.

`student.softmax(X)` sends `X` (raw bytes) to the kernel's responder, which calls the student's
`softmax` there; the answer is decoded into fresh objects in this process. Objects that are not
plain data (a model, a function) stay in the kernel and come back as `Remote` handles, whose
attributes and methods are reached the same way. A call that gives no value ends the check with
a verdict (`grader.checking.verdicts`) that the plugin turns into a message.

Messages name the student's functions, never the grader's: a function a check sends into the
kernel (`student.define(grad_of)`) is "a function of the check" wherever a message would show
it, and a call of one is labelled by the student's function it was given (`grads(student.softmax,
O)` is "softmax"; when it raises in the student's code, the student's function that raised,
with the line of their cell: "softmax raised RuntimeError at line 3 of code cell 5 (…): …").

`Student` talks to the kernel through a `KernelClient`, the one place that knows jupyter_client;
tests build a `Student` on a fake client instead (`client=`).
"""

from __future__ import annotations

import itertools
import queue
import time
import uuid
from typing import Any, Callable, Protocol

from grader.checking.describe import CHECKS_OWN, describe_call, describe_place, student_function, students_part
from grader.checking.sending import calling_check_line, source_to_send
from grader.checking.provided import globals_in, provided_in
from grader.checking.verdicts import (BadAnswer, KernelGone, NotOwnWork, StudentMissing, StudentRaised, StudentTimeout,
                                      UnreadableAnswer)
from grader.errors import AuthoringError, EnvironmentProblem
from grader.i18n import _
from grader.in_sandbox.wire import COMM_TARGET, WireError, decode, encode
from grader.in_sandbox.wire_values import MAX_BYTES


class UnreadableMessage(Exception):
    """A message from the kernel that jupyter_client could not decode (`KernelClient.next_iopub`)."""


class Channel(Protocol):
    """What `Student` needs of a kernel connection (`KernelClient`, or a fake in tests)."""

    def send(self, msg_type: str, content: dict, buffers: list | None = None, control: bool = False) -> str:
        """Send a message on the shell (or control) channel; return its msg_id."""

    def request_kernel_info(self) -> str:
        """Ask for the kernel's info (the reply's status messages reach iopub); return the msg_id."""

    def next_iopub(self, timeout: float) -> dict | None:
        """The next iopub message, or None when none came within `timeout` seconds; raises
        `UnreadableMessage` for one that cannot be decoded."""

    def close(self) -> None: ...


# The most one message frame from the kernel may hold: the wire's own bound on an answer's raw
# bytes, and room for its JSON. zmq drops a larger frame (and the connection, which it makes
# again) before this process reads a byte of it: a 500 MB string never reaches the JSON decoder.
MAX_FRAME_BYTES = MAX_BYTES + 16 * 1024**2
REPLY_QUEUE = 16  # frames zmq may hold before they are read (the student's prints come too)


class KernelClient:
    """A connection to a running kernel through jupyter_client's blocking client, on a zmq
    context of its own whose sockets refuse frames over MAX_FRAME_BYTES."""

    def __init__(self, connection_info: dict) -> None:
        import zmq
        from jupyter_client import BlockingKernelClient

        self._context = zmq.Context()
        self._context.setsockopt(zmq.MAXMSGSIZE, MAX_FRAME_BYTES)  # the default of its sockets
        self._context.setsockopt(zmq.RCVHWM, REPLY_QUEUE)  # a flood of output queues little
        self._kc = BlockingKernelClient(context=self._context)
        self._kc.load_connection_info(connection_info)
        self._kc.start_channels()

    def send(self, msg_type: str, content: dict, buffers: list | None = None, control: bool = False) -> str:
        channel = self._kc.control_channel if control else self._kc.shell_channel
        msg = self._kc.session.msg(msg_type, content)
        self._kc.session.send(channel.socket, msg, buffers=buffers or [])
        return msg["header"]["msg_id"]

    def request_kernel_info(self) -> str:
        return self._kc.kernel_info()

    def next_iopub(self, timeout: float) -> dict | None:
        try:
            return self._kc.get_iopub_msg(timeout=timeout)
        except queue.Empty:
            return None
        except (ValueError, TypeError, KeyError, OverflowError, RecursionError) as error:
            # jupyter_client's JSON decoding of a frame the kernel forged (a 100,000-digit
            # integer, a message without its parts): the message is gone, its sender named
            raise UnreadableMessage(f"{type(error).__name__} decoding a message") from None

    def close(self) -> None:
        self._kc.stop_channels()
        self._context.destroy(linger=0)


class Remote:
    """A handle on an object that lives in the kernel: attributes and calls go there.
    `_checks_own`: the object is a function the check sent (`define`), not the student's."""

    __slots__ = ("_student", "_ref", "_label", "_checks_own")

    def __init__(self, student: Student, ref: dict, label: str, checks_own: bool = False) -> None:
        object.__setattr__(self, "_student", student)
        object.__setattr__(self, "_ref", ref)
        object.__setattr__(self, "_label", label)
        object.__setattr__(self, "_checks_own", checks_own)

    def __getattr__(self, attr: str) -> Remote:
        """An attribute of the remote object, itself remote."""
        if attr.startswith("__"):
            raise AttributeError(attr)
        ref = {**self._ref, "attrs": [*self._ref.get("attrs", []), attr]}
        return Remote(self._student, ref, f"{self._label}.{attr}", self._checks_own)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._student.call(self, *args, **kwargs)

    def __repr__(self) -> str:
        """What the handle names, for messages."""
        return f"<in the kernel: {self._label}>"


class Student:
    """The `student` fixture: `student.name` is a handle on the notebook's global `name`."""

    SLOW_RETRY = 3.0  # seconds per call once the submission has shown an endless loop
    CONNECT_TIMEOUT = 30.0  # seconds for the kernel to answer at all

    def __init__(self, connection_info: dict | None, source: str, call_timeout: float = 30.0,
                 is_alive: Callable[[], bool] = lambda: True, interrupt_grace: float = 2.0,
                 client: Channel | None = None) -> None:
        self.source = source
        self.call_timeout = call_timeout
        self.deadline: float | None = None  # set per check by the plugin
        self.interrupt_grace = interrupt_grace
        self._is_alive = is_alive
        self._ids = itertools.count(1)
        self.replies = 0  # replies received from the kernel: a check that got one judged an answer
        self._dead = False
        self._looped = False  # once a call ran out of time, later calls get SLOW_RETRY at most
        self._pending_seed: int | None = None  # sent with the next request (`seed`)
        self._not_own: dict[str, str] | None = None  # graded names bound to d2l's objects (`provided`)
        self._sent: dict[str, dict] = {}  # text defined in the kernel -> its namespace's ref (`define`)
        self._client: Channel = client if client is not None else KernelClient(connection_info or {})
        self._comm_id = uuid.uuid4().hex
        self._wait_for_iopub()
        self._client.send("comm_open", {"comm_id": self._comm_id, "target_name": COMM_TARGET, "data": {}})

    # -- what checks use ------------------------------------------------------------------
    def __getattr__(self, name: str) -> Remote:
        """A name the notebook defines, as a handle on the kernel's object."""
        if name.startswith("_"):
            raise AttributeError(name)
        return Remote(self, {"$global": name}, name)

    def call(self, target: Remote, *args: Any, **kwargs: Any) -> Any:
        if target._checks_own:  # labelled by the student's function it was given
            name = label = students_part(args, kwargs)
        else:
            name, label = target._label, describe_call(target._label, args, kwargs)
        buffers: list = []
        try:
            data = {"op": "call", "target": target._ref,
                    "args": encode(list(args), buffers, self._ref_spec),
                    "kwargs": {"$dict": [[k, encode(v, buffers, self._ref_spec)] for k, v in kwargs.items()]}}
        except WireError as error:
            raise AuthoringError(*calling_check_line(), f"{label}: cannot send {error} into the kernel") from None
        return self._request(data, buffers, label, name, checks_own=target._checks_own)

    def get(self, target: Remote) -> Any:
        """The value of a kernel-side object (an attribute of a model, say), as plain data."""
        return self._request({"op": "get", "target": target._ref}, [], target._label, target._label)

    def define(self, function: Callable) -> Remote:
        """Send a grader function (not the student's) into the kernel; return a handle on it there.

        The function must be self-contained: written with `def`, it imports what it needs inside
        its body and uses no global name of the checks file (the kernel has none of them). A
        function of `grader.in_sandbox.helpers` is sent with that whole module, so those may call
        each other. Breaking the rule raises `AuthoringError` before anything is sent. Each text
        is sent once per kernel (one round trip, one `exec` there): a later function of the same
        module, or the same function again, is taken from the namespace already there."""
        source, name = source_to_send(function)
        namespace = self._sent.get(source)
        if namespace is None:  # each text once per kernel: a helpers module serves every check
            namespace = self._request({"op": "define", "source": source, "name": None}, [],
                                      _("the check"), _(CHECKS_OWN))._ref
            self._sent[source] = namespace
        elif self._dead or not self._is_alive():  # as a round trip would have found
            self._dead = True
            raise KernelGone(_("the check"))
        return Remote(self, {**namespace, "attrs": [name]}, _(CHECKS_OWN), checks_own=True)

    def seed(self, seed: int) -> None:
        """Seed the kernel's torch, numpy and random just before the next request runs there: it
        travels with that request (a round trip fewer for each check)."""
        self._pending_seed = seed

    def close(self) -> None:
        self._client.close()

    # -- the wire -------------------------------------------------------------------------
    def _ref_spec(self, value: Any) -> dict:
        if isinstance(value, Remote):
            return value._ref
        raise WireError(f"a {type(value).__name__}")

    def _wait_for_iopub(self) -> None:
        """Make sure the iopub subscription is live before the first reply is published."""
        deadline = time.monotonic() + self.CONNECT_TIMEOUT
        while time.monotonic() < deadline:
            msg_id = self._client.request_kernel_info()
            end = time.monotonic() + 0.5
            while time.monotonic() < end:
                msg = self._client.next_iopub(0.1)
                if msg is not None and msg["parent_header"].get("msg_id") == msg_id:
                    return
        raise EnvironmentProblem(f"the notebook's kernel does not answer (waited {self.CONNECT_TIMEOUT:.0f} s)")

    def _timeout(self) -> float:
        limit = self.SLOW_RETRY if self._looped else self.call_timeout
        if self.deadline is not None:
            limit = min(limit, self.deadline - time.monotonic())
        return max(limit, 0.5)

    def _request(self, data: dict, buffers: list, label: str, name: str, checks_own: bool = False) -> Any:
        self._refuse_not_own(data, label)
        if self._dead or not self._is_alive():
            self._dead = True
            raise KernelGone(label)
        request_id = next(self._ids)
        data["id"] = request_id
        if self._pending_seed is not None:
            data["seed"], self._pending_seed = self._pending_seed, None
        self._client.send("comm_msg", {"comm_id": self._comm_id, "data": data}, buffers)
        timeout = self._timeout()
        reply = self._await_reply(request_id, time.monotonic() + timeout, label)
        if reply is None:
            self._client.send("interrupt_request", {}, control=True)
            reply = self._await_reply(request_id, time.monotonic() + self.interrupt_grace, label)
            if reply is None:
                self._dead = True  # it ignores interrupts: nothing more can run there
            self._looped = True
            raise StudentTimeout(label, timeout)
        content, reply_buffers = reply
        self.replies += 1
        if not content.get("ok"):
            kind = content.get("kind")
            if kind == "missing":
                raise StudentMissing(label, content.get("evalue") or name)
            if kind == "interrupted":
                self._looped = True
                raise StudentTimeout(label, timeout)
            raise self._raised(content, label, name, checks_own)
        value = content.get("value")
        if isinstance(value, dict) and "$ref" in value:
            return Remote(self, {"$ref": value["$ref"]}, f"{name}(…)" if data["op"] == "call" else name)
        try:  # the wire's one decoder: linear, bounded, and it raises WireError only
            return decode(value, reply_buffers, self._remote_in_reply(name))
        except WireError as error:
            raise BadAnswer(label, str(error)) from None

    def _refuse_not_own(self, data: dict, label: str) -> None:
        """A request that reaches a notebook name bound to d2l's own object gives no value: the
        name is judged from the notebook's text, here, not by what the kernel says of it."""
        reached = globals_in(data)
        if not reached:
            return
        if self._not_own is None:
            self._not_own = provided_in(self.source)
        for global_name in sorted(reached & self._not_own.keys()):
            raise NotOwnWork(label, global_name, self._not_own[global_name])

    def _raised(self, content: dict, label: str, name: str, checks_own: bool) -> StudentRaised:
        """The verdict on a call that raised: the student's function that raised (for a call of
        a check's function: the first the check gave it, when none of the student's lines is in
        the traceback) and the student's own line (see the module's docstring)."""
        place = content.get("at") if isinstance(content.get("at"), dict) else {}
        where = describe_place(place, self._cell_of(place))
        function = student_function(str(place.get("function", "")))
        etype, evalue = str(content.get("etype", _("an error"))), str(content.get("evalue", ""))
        if checks_own:
            call = function or _("your {call}, run by the check,").format(call=label)
        else:
            call = label
            called = name.rsplit(".", 1)[-1].removesuffix("(…)")
            if function and function.rsplit(".", 1)[-1] != called:
                where = (_("in your {function} {where}") if where else _("in your {function}")).format(
                    function=function, where=where)
        return StudentRaised(call, etype, evalue, where)

    def _cell_of(self, place: dict) -> str:
        """The label of the code cell the student's code raised in ("code cell 5"), or '' when
        this `Student` does not know the notebook's cells (`ExplainsMissing` does)."""
        return ""

    def _remote_in_reply(self, name: str) -> Callable[[dict], Remote]:
        def make(spec: dict) -> Remote:
            return Remote(self, {"$ref": spec["$ref"]}, _("an object from {name}").format(name=name))
        return make

    def _await_reply(self, request_id: int, deadline: float, label: str) -> tuple[dict, list] | None:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            try:
                msg = self._client.next_iopub(min(left, 0.5))
            except UnreadableMessage as error:  # sent while the call ran: the call's answer
                self.replies += 1
                raise UnreadableAnswer(label, str(error)) from None
            if msg is None:
                if not self._is_alive():
                    self._dead = True
                    raise KernelGone(label)
                continue
            if msg["msg_type"] != "comm_msg" or msg["content"].get("comm_id") != self._comm_id:
                continue
            content = msg["content"].get("data") if isinstance(msg.get("content"), dict) else None
            if isinstance(content, dict) and content.get("id") == request_id:
                return content, msg.get("buffers") or []


