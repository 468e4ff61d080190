"""The kernel side of the grader: a comm target that runs requests on the student's namespace.

The grader's files are not visible in the sandbox, so this file travels as text: before the
notebook runs, `grader.in_sandbox.responder_bootstrap()` executes wire.py's text and then this
file's in a private namespace of the student's kernel, as `__main__` of that namespace, which
installs the responder. It holds no answers: it calls what the grading process names, with the
arguments it sends, and sends back plain data (or a reference, for anything else). Whatever the
student does to it only changes what their own functions appear to return.

Requests (comm messages, `data` is a dict):
    {"op": "call", "id": n, "target": ref, "args": [...], "kwargs": {...}}
    {"op": "get", "id": n, "target": ref}
    {"op": "define", "id": n, "source": str, "name": str or null (the namespace itself)}
any of them with "seed": int, to seed torch, numpy and random first; `ref` is {"$global": name,
"attrs": [...]} or {"$ref": object id, "attrs": [...]}.
Replies: {"id": n, "ok": true, "value": spec} or {"id": n, "ok": false, "kind": "raised" |
"missing" | "interrupted", "etype": str, "evalue": str, "at": place}. A name the request refers
to (its target or an argument, `{"$global": name}`) that the notebook lacks is "missing", with
the name as `evalue`.

`place` says where the student's own code raised, never a library's line: the innermost frame
of the traceback whose globals are the notebook's namespace (code a notebook cell defined, the
only code that runs there), as {"function": its qualified name, "line": its line in the cell,
"text": that line, "source": the cell's text as the kernel compiled it (from `linecache`, where
IPython keeps it; "" when longer than SOURCE_CAP)}; {} when no frame of the notebook's is in
the traceback (the error came from a library or the grader's own code, given the student's
values). The grading process finds the code cell from the source.
"""

import linecache
import random
import sys
import traceback
import types

try:
    from .wire import COMM_TARGET, decode, encode
except ImportError:  # run as text in the kernel: wire.py's text came first and defined them
    pass

DEFINED = "<grader>"  # the file name of code the grader defines in the kernel (`define`)
SOURCE_CAP = 20_000  # characters of a cell's text sent back with a place


class NotDefined(LookupError):
    """A name a request refers to is not in the notebook's namespace."""

    def __init__(self, name):
        super().__init__(name)
        self.name = name


class Keep:
    """A result to leave in the kernel, answered with a reference."""

    def __init__(self, obj):
        self.obj = obj


class Responder:
    """Answers one request at a time on the student's namespace `user_ns`."""

    def __init__(self, user_ns):
        self.user_ns = user_ns
        self.objects = {}  # reference number -> an object left in the kernel
        self.own_files = {Responder.run.__code__.co_filename, encode.__code__.co_filename,
                          DEFINED}

    # -- references ---------------------------------------------------------------------------
    def keep(self, obj):
        number = len(self.objects) + 1
        self.objects[number] = obj
        return {"$ref": number, "type": type(obj).__name__}

    def resolve(self, ref):
        if "$global" in ref:
            name = ref["$global"]
            if name not in self.user_ns:
                raise NotDefined(name)
            obj = self.user_ns[name]
        else:
            obj = self.objects[ref["$ref"]]
        for attr in ref.get("attrs", []):
            obj = getattr(obj, attr)
        return obj

    # -- requests -----------------------------------------------------------------------------
    def run(self, data, buffers):
        if "seed" in data:
            seed_everything(data["seed"])
        op = data["op"]
        if op == "call":
            target = self.resolve(data["target"])
            args = decode(data["args"], buffers, self.resolve)
            kwargs = decode(data["kwargs"], buffers, self.resolve)
            return target(*args, **kwargs)
        if op == "get":
            return self.resolve(data["target"])
        if op == "define":  # "name": null keeps the whole namespace, as a module
            module = types.ModuleType("__grader__")
            module.__dict__["__builtins__"] = __builtins__
            exec(compile(data["source"], DEFINED, "exec"), module.__dict__)  # noqa: S102 - the grader's own helpers
            return Keep(module if data.get("name") is None else module.__dict__[data["name"]])
        raise ValueError(f"unknown op {op!r}")

    def answer(self, data, buffers):
        """The reply to one request, and its byte buffers. Never raises."""
        request_id = data.get("id")
        try:
            value = self.run(data, buffers)
            out = []
            spec = self.keep(value.obj) if isinstance(value, Keep) else encode(value, out, self.keep)
            return {"id": request_id, "ok": True, "value": spec}, out
        except KeyboardInterrupt:
            return {"id": request_id, "ok": False, "kind": "interrupted",
                    "etype": "KeyboardInterrupt", "evalue": ""}, []
        except NotDefined as missing:
            if self.from_request(missing):
                return {"id": request_id, "ok": False, "kind": "missing",
                        "etype": "NameError", "evalue": str(missing.name)}, []
            return self.failure(request_id, missing)
        except BaseException as error:  # the student's code raised: report it, never die
            return self.failure(request_id, error)

    def from_request(self, error):
        """Whether `error` was raised resolving the request's own names (not by code it ran)."""
        frames = [frame.f_code for frame, _ in traceback.walk_tb(error.__traceback__)]
        return frames[-1] is Responder.resolve.__code__ and all(
            code.co_filename in self.own_files for code in frames)

    def failure(self, request_id, error):
        try:
            text = str(error)
        except BaseException:
            text = ""
        return {"id": request_id, "ok": False, "kind": "raised", "etype": type(error).__name__,
                "evalue": text[:2000], "at": self.place(error)}, []

    def place(self, error):
        """Where the notebook's own code raised `error` (see the module's docstring). Never raises."""
        try:
            return self.innermost_notebook_line(error)
        except BaseException:
            return {}

    def innermost_notebook_line(self, error):
        found = None
        for frame, line in traceback.walk_tb(error.__traceback__):
            if frame.f_globals is self.user_ns:
                found = frame, line
        if found is None:
            return {}
        frame, line = found
        code = frame.f_code
        lines = linecache.getlines(code.co_filename)
        source = "".join(lines)
        return {"function": str(getattr(code, "co_qualname", code.co_name)), "line": int(line or 0),
                "text": lines[line - 1].strip()[:200] if line and 0 < line <= len(lines) else "",
                "source": source if len(source) <= SOURCE_CAP else ""}

    # -- the comm -----------------------------------------------------------------------------
    def on_open(self, channel, open_msg):
        def on_msg(msg):
            reply, out = self.answer(msg["content"]["data"], msg.get("buffers") or [])
            try:
                channel.send(reply, buffers=out)
            except BaseException as error:
                channel.send({"id": reply.get("id"), "ok": False, "kind": "raised",
                              "etype": type(error).__name__, "evalue": "reply could not be sent"})

        channel.on_msg(on_msg)


def seed_everything(seed):
    import numpy
    import torch

    torch.manual_seed(seed)
    numpy.random.seed(seed)
    random.seed(seed)


def install(user_ns=None):
    """Register the responder for the kernel's namespace (the running IPython's by default)."""
    import comm

    if user_ns is None:
        from IPython import get_ipython

        user_ns = get_ipython().user_ns
    comm.get_comm_manager().register_target(COMM_TARGET, Responder(user_ns).on_open)
    sys.modules.pop("__grader__", None)


if __name__ == "__main__":
    install()
