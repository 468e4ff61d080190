"""The student protocol against a fake kernel client: no kernel, no sockets, fast.

`FakeKernel` stands in for `KernelClient` (the seam `Student(..., client=)`): it answers comm
requests with a function of the request, publishes the reply on its iopub queue, and can stay
silent, honour or ignore an interrupt, or die.
"""

from __future__ import annotations

import collections
import itertools
import time

import pytest
import torch
from d2l_course import in_kernel  # the built-in course's own (course/lib)

from grader.checking.student import Remote, Student
from grader.checking.verdicts import BadAnswer, KernelGone, StudentMissing, StudentRaised, StudentTimeout
from grader.errors import AuthoringError, EnvironmentProblem
from grader.in_sandbox import helpers
from grader.in_sandbox.wire import decode, encode


class FakeKernel:
    """Answers each comm request with `respond(data, buffers)` -> (reply, buffers), or None for no reply."""

    def __init__(self, respond, honours_interrupts=True, answers_kernel_info=True):
        self.respond = respond
        self.honours_interrupts = honours_interrupts
        self.answers_kernel_info = answers_kernel_info
        self.alive = True
        self.iopub = collections.deque()
        self.requests = []  # the data of every comm request, in order
        self.interrupts = 0
        self.comm_id = None
        self.closed = False
        self._ids = itertools.count(1)

    def send(self, msg_type, content, buffers=None, control=False):
        if msg_type == "comm_open":
            self.comm_id = content["comm_id"]
        elif msg_type == "comm_msg":
            data = content["data"]
            self.requests.append(data)
            answer = self.respond(data, buffers or [])
            if answer is not None:
                self.publish(data["id"], *answer)
        elif msg_type == "interrupt_request":
            assert control, "interrupts go on the control channel"
            self.interrupts += 1
            if self.honours_interrupts:
                self.publish(self.requests[-1]["id"], {"ok": False, "kind": "interrupted",
                                                       "etype": "KeyboardInterrupt", "evalue": ""}, [])
        return f"msg-{next(self._ids)}"

    def publish(self, request_id, reply, buffers):
        self.iopub.append({"msg_type": "comm_msg", "parent_header": {},
                           "content": {"comm_id": self.comm_id, "data": {"id": request_id, **reply}},
                           "buffers": buffers})

    def request_kernel_info(self):
        msg_id = f"info-{next(self._ids)}"
        if self.answers_kernel_info:
            self.iopub.append({"msg_type": "status", "parent_header": {"msg_id": msg_id}, "content": {}})
        return msg_id

    def next_iopub(self, timeout):
        if not self.iopub:
            time.sleep(min(timeout, 0.01))  # as a real client waits, without spinning
            return None
        return self.iopub.popleft()

    def close(self):
        self.closed = True


def ok(value):
    buffers = []
    return {"ok": True, "value": encode(value, buffers)}, buffers


CRASH_CELL = "import torch\n\ndef crash():\n    return 1 / 0\n"


def notebook(data, buffers):
    """A notebook with `double(X)`, `spin()` (an endless loop) and `crash()`."""
    if data["op"] == "define":
        return {"ok": True, "value": {"$ref": 7, "type": "function"}}, []
    name = data["target"].get("$global")
    if name == "double":
        args = decode(data["args"], buffers)
        return ok(2 * args[0])
    if name == "spin":
        return None
    if name == "crash":
        return {"ok": False, "kind": "raised", "etype": "ZeroDivisionError", "evalue": "division by zero",
                "at": {"function": "crash", "line": 3, "text": "return 1 / 0", "source": CRASH_CELL}}, []
    if name == "model":
        return {"ok": True, "value": {"$ref": 1, "type": "Model"}}, []
    if name == "broken":
        return {"ok": True, "value": {"$tensor": {"dtype": "float32", "shape": [2], "buffer": 5}}}, []
    if name == "nested":  # a list in a list ... 100,000 deep: deeper than Python's recursion limit
        value = []
        for _ in range(100_000):
            value = [value]
        return {"ok": True, "value": value}, []
    return {"ok": False, "kind": "missing", "etype": "NameError", "evalue": name}, []


def student_on(kernel, **kwargs):
    kwargs.setdefault("call_timeout", 0.5)
    kwargs.setdefault("interrupt_grace", 0.1)
    kwargs.setdefault("is_alive", lambda: kernel.alive)
    return Student(None, "source of the notebook", client=kernel, **kwargs)


def test_a_reply_comes_back_as_fresh_plain_data():
    kernel = FakeKernel(notebook)
    student = student_on(kernel)
    X = torch.arange(3.0)
    got = student.double(X)
    assert torch.equal(got, 2 * X) and got is not X
    assert kernel.requests[0]["op"] == "call" and kernel.requests[0]["target"] == {"$global": "double"}
    student.close()
    assert kernel.closed


def test_a_seed_travels_with_the_next_request_not_on_its_own():
    kernel = FakeKernel(notebook)
    student = student_on(kernel)
    student.seed(4)
    assert kernel.requests == []  # no round trip of its own
    student.double(torch.ones(1))
    student.double(torch.ones(1))
    assert [request.get("seed") for request in kernel.requests] == [4, None]
    student.close()


def test_objects_that_are_not_plain_data_stay_behind_a_remote_handle():
    kernel = FakeKernel(notebook)
    student = student_on(kernel)
    model = student.model()
    assert isinstance(model, Remote) and repr(model) == "<in the kernel: model(…)>"
    kernel.respond = lambda data, buffers: ok(1.5)
    assert model.forward(torch.ones(2)) == 1.5
    assert kernel.requests[-1]["target"] == {"$ref": 1, "attrs": ["forward"]}


def test_a_call_that_does_not_return_is_interrupted_and_later_calls_get_less_time():
    kernel = FakeKernel(notebook)
    student = student_on(kernel, call_timeout=1.0)
    student.SLOW_RETRY = 0.5
    with pytest.raises(StudentTimeout) as first:
        student.spin()
    assert kernel.interrupts == 1 and first.value.seconds == 1.0
    assert "spin() did not return within 1 s" in str(first.value)
    assert torch.equal(student.double(torch.ones(1)), torch.full((1,), 2.0))  # the kernel still works
    with pytest.raises(StudentTimeout) as second:
        student.spin()
    assert second.value.seconds == 0.5 and kernel.interrupts == 2


def test_a_kernel_that_ignores_the_interrupt_is_given_up():
    kernel = FakeKernel(notebook, honours_interrupts=False)
    student = student_on(kernel)
    with pytest.raises(StudentTimeout):
        student.spin()
    sent = len(kernel.requests)
    with pytest.raises(KernelGone, match="the notebook's kernel had died"):
        student.double(torch.ones(1))
    assert len(kernel.requests) == sent  # nothing more is sent


def test_a_dead_kernel_gives_kernel_gone():
    kernel = FakeKernel(notebook)
    student = student_on(kernel)
    kernel.alive = False
    with pytest.raises(KernelGone) as gone:
        student.double(torch.ones(1))
    assert gone.value.hidden_text == "the kernel had died" and not kernel.requests


def test_a_kernel_that_dies_during_a_call_gives_kernel_gone():
    kernel = FakeKernel(notebook)
    student = student_on(kernel)

    def die(data, buffers):
        kernel.alive = False
        return None

    kernel.respond = die
    with pytest.raises(KernelGone):
        student.double(torch.ones(1))


def test_a_malformed_answer_is_a_bad_answer():
    student = student_on(FakeKernel(notebook))
    with pytest.raises(BadAnswer, match=r"^broken\(\) returned something that is not plain data"):
        student.broken()


def test_a_reply_nested_past_the_recursion_limit_is_a_bad_answer():
    student = student_on(FakeKernel(notebook))
    with pytest.raises(BadAnswer, match=r"^nested\(\) returned something that is not plain data"):
        student.nested()


def test_a_missing_name_and_a_raising_function():
    student = student_on(FakeKernel(notebook))
    with pytest.raises(StudentMissing) as missing:
        student.softmax(torch.ones(2, 2))
    assert missing.value.name == "softmax" and "softmax is not defined in the notebook" in str(missing.value)
    with pytest.raises(StudentRaised) as raised:
        student.crash()
    assert str(raised.value) == ("crash() raised ZeroDivisionError at line 3 of the cell that defines crash "
                                 "(return 1 / 0): division by zero")
    assert raised.value.hidden_text == "raised ZeroDivisionError"


def test_define_sends_a_function_text_and_a_helper_with_its_module():
    def grad_of(function, X):
        X = X.clone().requires_grad_(True)
        function(X).sum().backward()
        return X.grad

    kernel = FakeKernel(notebook)
    student = student_on(kernel)
    remote = student.define(grad_of)
    assert isinstance(remote, Remote) and remote._ref == {"$ref": 7, "attrs": ["grad_of"]}
    assert kernel.requests[-1]["name"] is None  # the namespace: the function is taken from it
    assert kernel.requests[-1]["source"].startswith("def grad_of(function, X):\n")
    student.define(in_kernel.with_grader_relu)
    sent = kernel.requests[-1]
    assert sent["name"] is None and "def with_grader_names(" in sent["source"]
    defines = len([r for r in kernel.requests if r.get("op") == "define"])
    again = student.define(in_kernel.with_grader_relu)  # the same, and another of its module:
    other = student.define(in_kernel.with_grader_names)  # no round trip more
    assert len([r for r in kernel.requests if r.get("op") == "define"]) == defines == 2
    assert again._ref["attrs"] == ["with_grader_relu"] and other._ref["attrs"] == ["with_grader_names"]


def test_what_cannot_be_sent_is_the_check_authors_error_naming_the_line():
    kernel = FakeKernel(notebook)
    student = student_on(kernel)
    with pytest.raises(AuthoringError) as error:
        student.double(object())
    assert error.value.path == "test_student_protocol.py" and error.value.line > 0
    assert "cannot send a object" in error.value.problem
    with pytest.raises(AuthoringError, match="not a function written with def"):
        student.define(lambda x: x)
    assert not kernel.requests


def test_a_kernel_that_never_answers_is_an_environment_problem():
    class Impatient(Student):
        CONNECT_TIMEOUT = 0.2

    with pytest.raises(EnvironmentProblem, match="does not answer"):
        Impatient(None, "", client=FakeKernel(notebook, answers_kernel_info=False))


def test_a_frame_over_the_cap_never_reaches_the_grading_process(monkeypatch):
    """A real KernelClient on a real socket: zmq drops a frame over MAX_FRAME_BYTES unread (a
    forged 500 MB reply is never JSON-decoded here); messages under it arrive as usual."""
    import zmq
    from jupyter_client.session import Session

    from grader.checking import student as student_module

    monkeypatch.setattr(student_module, "MAX_FRAME_BYTES", 1024**2)
    context = zmq.Context()
    publisher = context.socket(zmq.PUB)
    port = publisher.bind_to_random_port("tcp://127.0.0.1")
    session = Session(key=b"secret")
    info = {"transport": "tcp", "ip": "127.0.0.1", "iopub_port": port, "shell_port": 0, "stdin_port": 0,
            "control_port": 0, "hb_port": 0, "key": "secret", "signature_scheme": "hmac-sha256"}
    client = student_module.KernelClient(info)
    try:
        received = None
        for _ in range(100):  # a SUB socket joins late: publish until one message arrives
            session.send(publisher, "stream", {"name": "stdout", "text": "small"})
            received = client.next_iopub(0.05)
            if received is not None:
                break
        assert received is not None and received["content"]["text"] == "small"
        session.send(publisher, "stream", {"name": "stdout", "text": "x" * (2 * 1024**2)})
        seen = [client.next_iopub(0.2) for _ in range(10)]
        assert all(m is None or len(m["content"]["text"]) < 1024 for m in seen)
    finally:
        client.close()
        publisher.close(linger=0)
        context.term()


# -- messages name the student's function and line, never the check's helpers ------------------

def raising_in(function, line, text, source="", etype="RuntimeError", evalue="mat1 and mat2 shapes cannot be multiplied"):
    """A kernel whose calls raise in the notebook's `function` (`model()` and `define` still work)."""
    def respond(data, buffers):
        if data["op"] != "call" or data["target"].get("$global") == "model":
            return notebook(data, buffers)
        place = {"function": function, "line": line, "text": text, "source": source} if function else {}
        return {"ok": False, "kind": "raised", "etype": etype, "evalue": evalue, "at": place}, []
    return FakeKernel(respond)


HELPER_NAMES = ("with_grader_softmax", "call_with_copies", "grad_of", "torch_calls", "parameters_report")


def test_a_check_s_function_that_raised_in_the_student_s_code_names_the_student_s_function():
    student = student_on(raising_in("softmax", 3, "return X_exp @ W", source="def softmax(X): ..."))
    with pytest.raises(StudentRaised) as raised:
        student.define(in_kernel.with_grader_softmax)(student.softmax, torch.ones(2, 3))
    assert str(raised.value) == ("softmax raised RuntimeError at line 3 of the cell that defines softmax "
                                 "(return X_exp @ W): mat1 and mat2 shapes cannot be multiplied")
    assert not any(name in str(raised.value) for name in HELPER_NAMES)


def test_a_method_of_the_student_s_class_is_named_with_its_class():
    student = student_on(raising_in("SoftmaxRegressionScratch.forward.<locals>.<listcomp>", 7, "X @ self.W"))
    model = student.model()
    with pytest.raises(StudentRaised, match=r"^SoftmaxRegressionScratch\.forward raised RuntimeError at line 7 "
                                            r"of the cell that defines SoftmaxRegressionScratch \(X @ self.W\)"):
        student.define(helpers.call_with_copies)(model.forward, [torch.ones(2, 4)])


def test_without_a_line_of_the_student_s_the_check_s_call_is_labelled_by_the_student_s_function():
    student = student_on(raising_in("", 0, "", etype="ValueError", evalue="a parameter got no gradient"))
    train = student.define(helpers.train_classifier)
    with pytest.raises(StudentRaised) as raised:
        student.define(in_kernel.with_grader_softmax)(train, student.SoftmaxRegressionScratch, [4, 2, 0.1])
    assert str(raised.value) == ("your SoftmaxRegressionScratch, run by the check, raised ValueError: "
                                 "a parameter got no gradient")


def test_a_check_s_function_is_never_named_in_a_message():
    kernel = FakeKernel(notebook)
    student = student_on(kernel)
    grads = student.define(helpers.torch_calls)
    assert repr(grads) == "<in the kernel: a function of the check>"
    with pytest.raises(StudentMissing, match="^softmax is not defined"):
        grads(student.softmax, torch.ones(2))
    kernel.respond = lambda data, buffers: ({"ok": True, "value": {"$ref": 2, "type": "Model"}}, [])
    model = grads(student.model)  # an object a check's function returns is the student's
    assert repr(model) == "<in the kernel: model(…)>"
    kernel.respond = lambda data, buffers: None
    kernel.alive = False
    with pytest.raises(KernelGone) as gone:
        grads(student.softmax, torch.ones(2))
    assert str(gone.value) == "softmax could not run: the notebook's kernel had died"
    with pytest.raises(KernelGone, match="^the check could not run"):
        student.define(helpers.parameters_report)


def test_a_direct_call_names_the_student_s_other_function_that_raised():
    student = student_on(raising_in("stable_exp", 2, "return torch.exp(X - X.max())"))
    with pytest.raises(StudentRaised) as raised:
        student.softmax(torch.ones(2, 3))
    assert str(raised.value).startswith("softmax(a float32 tensor of shape (2, 3)) raised RuntimeError in your "
                                        "stable_exp at line 2 of the cell that defines stable_exp")


def test_the_code_cell_is_named_when_the_notebook_s_cells_are_known():
    from grader.checking.missing import CodeCell, ExplainsMissing

    cell = "%matplotlib inline\n\ndef softmax(X):\n    return X @ X\n"
    compiled = "get_ipython().run_line_magic('matplotlib', 'inline')\n\ndef softmax(X):\n    return X @ X\n"
    kernel = raising_in("softmax", 4, "return X @ X", source=compiled)  # as IPython compiled the cell
    student = ExplainsMissing(None, "", client=kernel, call_timeout=0.5)
    student.notebook_cells = lambda: [CodeCell("code cell 1", "x = 1"), CodeCell("code cell 3", cell),
                                      CodeCell("code cell 4", "def relu(X):\n    pass\n\n    return X @ X")]
    with pytest.raises(StudentRaised, match=r"^softmax\(.*\) raised RuntimeError at line 4 of code cell 3 "):
        student.softmax(torch.ones(2, 2))
    kernel.respond = lambda data, buffers: ({"ok": False, "kind": "raised", "etype": "RuntimeError",
                                             "evalue": "", "at": {"function": "relu", "line": 4,
                                                                  "text": "return X @ X", "source": ""}}, [])
    with pytest.raises(StudentRaised, match=r"^relu\(.*\) raised RuntimeError at line 4 of code cell 4 "):
        student.relu(torch.ones(2, 2))  # no source sent (too long): the line's text finds the cell
    kernel.respond = notebook
    with pytest.raises(StudentMissing, match="^nothing is not defined: no code cell defines it"):
        student.nothing(1)
