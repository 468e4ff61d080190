"""The responder, driven directly on a namespace of our own (in the kernel it is the student's)."""

from __future__ import annotations

import linecache

import comm
import torch

from grader.in_sandbox import source
from grader.in_sandbox.responder import Responder, install
from grader.in_sandbox.wire import COMM_TARGET, decode, encode


def square(x):
    return x * x


def broken(x):
    raise ValueError("no luck")


class Model:
    def __init__(self):
        self.weight = torch.ones(2)


def value_reference(reply: tuple[dict, list]) -> dict:
    content, _ = reply
    assert content["ok"], content
    return {"$ref": content["value"]["$ref"]}


def ask(responder: Responder, data: dict) -> tuple[dict, list]:
    return responder.answer({"id": 7, **data}, [])


def value_of(reply: tuple[dict, list]):
    content, buffers = reply
    assert content["ok"], content
    return decode(content["value"], buffers)


def call(target: dict, *args) -> dict:
    buffers: list = []  # small ints travel in the spec itself
    return {"op": "call", "target": target, "args": encode(list(args), buffers), "kwargs": {"$dict": []}}


class Ref:
    """An argument that refers to an object in the kernel, as a `Remote` of the grader does."""

    def __init__(self, spec: dict):
        self.spec = spec


def ask_call(responder: Responder, target: dict, *args) -> dict:
    """The reply to calling `target` with `args` (tensors travel as buffers; a `Ref` as itself)."""
    buffers: list = []
    data = {"op": "call", "target": target, "args": encode(list(args), buffers, lambda ref: ref.spec),
            "kwargs": {"$dict": []}}
    return responder.answer({"id": 7, **data}, buffers)[0]


def test_a_call_sends_plain_data_back():
    responder = Responder({"square": square})
    assert value_of(ask(responder, call({"$global": "square"}, 3))) == 9


def test_a_name_the_notebook_lacks_is_missing():
    content, _ = ask(Responder({}), call({"$global": "softmax"}, 1))
    assert (content["ok"], content["kind"], content["evalue"]) == (False, "missing", "softmax")


def notebook_with(cell: str, name: str = "/tmp/ipykernel_4242/31337.py") -> dict:
    """A namespace holding what `cell` defines, compiled and cached in linecache as IPython does."""
    namespace: dict = {}
    linecache.cache[name] = (len(cell), None, cell.splitlines(keepends=True), name)
    exec(compile(cell, name, "exec"), namespace)
    return namespace


CELL = """import torch

def softmax(X):
    Y = X.clone().requires_grad_(True)
    (Y * 2).backward()  # not a scalar: raises inside torch's autograd
    return Y

def lookup(X):
    return {}["missing"]
"""


def test_what_the_student_raised_comes_back_with_their_own_line_never_a_library_s():
    content = ask_call(Responder(notebook_with(CELL)), {"$global": "softmax"}, 1.0)
    assert content["kind"] == "raised" and content["etype"] == "AttributeError"  # a float has no clone
    content = ask_call(Responder(notebook_with(CELL)), {"$global": "softmax"}, torch.ones(2))
    assert (content["kind"], content["etype"]) == ("raised", "RuntimeError")
    assert content["at"] == {"function": "softmax", "line": 5, "source": CELL,
                             "text": "(Y * 2).backward()  # not a scalar: raises inside torch's autograd"}


def test_the_student_s_line_is_found_under_the_grader_s_own_functions():
    responder = Responder(notebook_with(CELL))
    helper = value_reference(ask(responder, {"op": "define", "source": source("helpers.py"),
                                             "name": "call_with_copies"}))
    content = ask_call(responder, helper, Ref({"$global": "softmax"}), [torch.ones(2)])
    assert content["at"]["function"] == "softmax" and content["at"]["line"] == 5


def test_an_error_of_the_grader_s_code_given_the_student_s_values_has_no_place():
    responder = Responder({"broken": broken})  # defined in this file, not by a notebook cell
    content = ask_call(responder, {"$global": "broken"}, 1)
    assert (content["kind"], content["etype"], content["evalue"]) == ("raised", "ValueError", "no luck")
    assert content["at"] == {}


def test_a_missing_name_given_as_an_argument_is_missing_but_the_student_s_lookup_error_is_raised():
    responder = Responder(notebook_with(CELL))
    helper = value_reference(ask(responder, {"op": "define", "source": source("helpers.py"),
                                             "name": "call_with_copies"}))
    content = ask_call(responder, helper, Ref({"$global": "relu"}), [torch.ones(2)])
    assert (content["kind"], content["evalue"]) == ("missing", "relu")
    content = ask_call(responder, {"$global": "lookup"}, 1)
    assert (content["kind"], content["etype"], content["at"]["line"]) == ("raised", "KeyError", 9)


def test_an_object_that_is_not_plain_data_stays_behind_a_reference():
    responder = Responder({"model": Model()})
    content, _ = ask(responder, {"op": "get", "target": {"$global": "model"}})
    reference = content["value"]
    assert reference["type"] == "Model"
    weight = value_of(ask(responder, {"op": "get",
                                      "target": {"$ref": reference["$ref"], "attrs": ["weight"]}}))
    assert torch.equal(weight, torch.ones(2))


def test_define_leaves_the_grader_s_function_in_the_kernel():
    responder = Responder({})
    content, _ = ask(responder, {"op": "define", "source": "def double(x):\n    return 2 * x\n",
                                 "name": "double"})
    assert value_of(ask(responder, call({"$ref": content["value"]["$ref"]}, 4))) == 8


def test_a_request_that_carries_a_seed_runs_seeded_and_unknown_ops_fail():
    responder = Responder({"draw": lambda: torch.rand(2)})
    torch.manual_seed(3)
    expected = torch.rand(2)
    torch.rand(5)  # the generator moved on
    drawn = value_of(ask(responder, {"op": "call", "target": {"$global": "draw"}, "args": [],
                                     "kwargs": {"$dict": []}, "seed": 3}))
    assert torch.equal(drawn, expected)
    assert not torch.equal(value_of(ask(responder, {"op": "call", "target": {"$global": "draw"},
                                                    "args": [], "kwargs": {"$dict": []}})), expected)
    content, _ = ask(responder, {"op": "seed", "seed": 3})  # gone: a seed travels with a request
    assert (content["ok"], content["etype"]) == (False, "ValueError")
    content, _ = ask(responder, {"op": "release", "refs": [1]})  # gone: nothing used it
    assert (content["ok"], content["etype"]) == (False, "ValueError")


def test_install_registers_the_comm_target_both_sides_name():
    install({})
    assert COMM_TARGET in comm.get_comm_manager().targets
