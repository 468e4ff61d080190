"""The kernel side of the grader: a comm target that runs requests on the student's namespace.

This file is never imported by the grader. Its source, with `grader.in_sandbox.wire`'s, is executed in a
private namespace inside the student's kernel before the notebook runs; `install()` then
registers the comm target. It holds no answers: it calls what the grading process names, with
the arguments it sends, and sends back plain data (or a reference, for anything else). Whatever
the student does to it only changes what their own functions appear to return.

Requests (comm messages, `data` is a dict):
    {"op": "call", "id": n, "target": ref, "args": [...], "kwargs": {...}}
    {"op": "get", "id": n, "target": ref}
    {"op": "define", "id": n, "source": str, "name": str}
    {"op": "seed", "id": n, "seed": int}
    {"op": "release", "id": n, "refs": [int, ...]}
where `ref` is {"$global": name, "attrs": [...]} or {"$ref": object id, "attrs": [...]}.
Replies: {"id": n, "ok": true, "value": spec} or {"id": n, "ok": false, "kind": "raised" |
"missing" | "interrupted", "etype": str, "evalue": str}.
"""

COMM_TARGET = "grader.responder"


def install(encode, decode, user_ns):
    import random
    import sys
    import traceback

    import comm

    objects = {}
    counter = [0]

    class Keep:  # a result to leave in the kernel, answered with a reference
        def __init__(self, obj):
            self.obj = obj

    def keep(obj):
        counter[0] += 1
        objects[counter[0]] = obj
        return {"$ref": counter[0], "type": type(obj).__name__}

    def resolve(ref):
        if "$global" in ref:
            name = ref["$global"]
            if name not in user_ns:
                raise LookupError(name)
            obj = user_ns[name]
        else:
            obj = objects[ref["$ref"]]
        for attr in ref.get("attrs", []):
            obj = getattr(obj, attr)
        return obj

    def run(data, buffers):
        op = data["op"]
        if op == "call":
            target = resolve(data["target"])
            args = decode(data["args"], buffers, resolve)
            kwargs = decode(data["kwargs"], buffers, resolve)
            result = target(*args, **kwargs)
            return Keep(result) if data.get("as_ref") else result
        if op == "get":
            return resolve(data["target"])
        if op == "define":
            namespace = {"__name__": "__grader__", "__builtins__": __builtins__}
            exec(compile(data["source"], "<grader>", "exec"), namespace)
            return Keep(namespace[data["name"]])
        if op == "seed":
            import numpy
            import torch

            torch.manual_seed(data["seed"])
            numpy.random.seed(data["seed"])
            random.seed(data["seed"])
            return None
        if op == "release":
            for ref in data["refs"]:
                objects.pop(ref, None)
            return None
        raise ValueError(f"unknown op {op!r}")

    def answer(data, buffers):
        request_id = data.get("id")
        try:
            value = run(data, buffers)
            out = []
            spec = keep(value.obj) if isinstance(value, Keep) else encode(value, out, keep)
            return {"id": request_id, "ok": True, "value": spec}, out
        except KeyboardInterrupt:
            return {"id": request_id, "ok": False, "kind": "interrupted",
                    "etype": "KeyboardInterrupt", "evalue": ""}, []
        except LookupError as error:
            if data.get("op") in ("call", "get") and "$global" in data.get("target", {}):
                name = data["target"]["$global"]
                if name not in user_ns:
                    return {"id": request_id, "ok": False, "kind": "missing",
                            "etype": "NameError", "evalue": name}, []
            return failure(request_id, error)
        except BaseException as error:  # the student's code raised: report it, never die
            return failure(request_id, error)

    def failure(request_id, error):
        frames = traceback.extract_tb(error.__traceback__)
        where = ""
        for frame in reversed(frames):
            if frame.filename not in ("<grader-agent>", "<grader-wire>", "<grader>"):
                where = f"line {frame.lineno}" + (f" in {frame.name}" if frame.name != "<module>" else "")
                break
        try:
            text = str(error)
        except BaseException:
            text = ""
        return {"id": request_id, "ok": False, "kind": "raised", "etype": type(error).__name__,
                "evalue": text[:2000], "where": where}, []

    def on_open(channel, open_msg):
        def on_msg(msg):
            reply, out = answer(msg["content"]["data"], msg.get("buffers") or [])
            try:
                channel.send(reply, buffers=out)
            except BaseException as error:
                channel.send({"id": reply.get("id"), "ok": False, "kind": "raised",
                              "etype": type(error).__name__, "evalue": "reply could not be sent"})

        channel.on_msg(on_msg)

    comm.get_comm_manager().register_target(COMM_TARGET, on_open)
    sys.modules.pop("__grader__", None)
