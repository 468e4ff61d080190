"""The responder, driven directly on a namespace of our own (in the kernel it is the student's)."""

from __future__ import annotations

import comm
import torch

from grader.in_sandbox.responder import Responder, install
from grader.in_sandbox.wire import COMM_TARGET, decode, encode


def square(x):
    return x * x


def broken(x):
    raise ValueError("no luck")


class Model:
    def __init__(self):
        self.weight = torch.ones(2)


def ask(responder: Responder, data: dict) -> tuple[dict, list]:
    return responder.answer({"id": 7, **data}, [])


def value_of(reply: tuple[dict, list]):
    content, buffers = reply
    assert content["ok"], content
    return decode(content["value"], buffers)


def call(target: dict, *args) -> dict:
    buffers: list = []  # small ints travel in the spec itself
    return {"op": "call", "target": target, "args": encode(list(args), buffers), "kwargs": {"$dict": []}}


def test_a_call_sends_plain_data_back():
    responder = Responder({"square": square})
    assert value_of(ask(responder, call({"$global": "square"}, 3))) == 9


def test_a_name_the_notebook_lacks_is_missing():
    content, _ = ask(Responder({}), call({"$global": "softmax"}, 1))
    assert (content["ok"], content["kind"], content["evalue"]) == (False, "missing", "softmax")


def test_what_the_student_raised_comes_back_with_where():
    content, _ = ask(Responder({"broken": broken}), call({"$global": "broken"}, 1))
    assert (content["kind"], content["etype"], content["evalue"]) == ("raised", "ValueError", "no luck")
    assert content["where"].endswith("in broken")


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


def test_seeding_and_unknown_ops():
    responder = Responder({})
    assert value_of(ask(responder, {"op": "seed", "seed": 3})) is None
    content, _ = ask(responder, {"op": "release", "refs": [1]})  # gone: nothing used it
    assert (content["ok"], content["etype"]) == (False, "ValueError")


def test_install_registers_the_comm_target_both_sides_name():
    install({})
    assert COMM_TARGET in comm.get_comm_manager().targets
