"""A graded name bound to the provided d2l's own object earns nothing; one built on d2l's
scaffolding is the student's (grader.checking.provided, and the Student that applies it)."""

from __future__ import annotations

import pytest

from grader.checking.provided import globals_in, provided_in
from grader.checking.student import Student
from grader.checking.verdicts import NotOwnWork

IMPORT = "!pip install d2l==1.0.3\nfrom d2l import torch as d2l\nimport torch\nfrom torch import nn\n\n"

BOOK_STYLE = IMPORT + '''
class SGD(d2l.HyperParameters):
    def __init__(self, params, lr):
        self.save_hyperparameters()

class SoftmaxRegressionScratch(d2l.Classifier):
    pass

@d2l.add_to_class(SoftmaxRegressionScratch)
def forward(self, X):
    return X

class MLPScratch(d2l.Module):
    pass

class Base(nn.Module):
    pass

class Child(Base):
    pass

def linreg(X, w, b):  # the book's 0.17 style, d2l's tensor aliases
    return d2l.matmul(X, w) + b

data = d2l.FashionMNIST(batch_size=256)
'''


def test_the_books_own_classes_are_the_students():
    assert provided_in(BOOK_STYLE) == {"d2l": "from d2l import torch",
                                       "data": "data = d2l.FashionMNIST(batch_size=256)"}


@pytest.mark.parametrize(("code", "name", "binding"), [
    ("SGD = d2l.SGD", "SGD", "SGD = d2l.SGD"),
    ("accuracy = d2l.Classifier.accuracy", "accuracy", "accuracy = d2l.Classifier.accuracy"),
    ("accuracy = d2l.Classifier().accuracy", "accuracy", "accuracy = d2l.Classifier().accuracy"),
    ("SGD = getattr(d2l, 'SGD')", "SGD", "SGD = getattr(d2l, 'SGD')"),
    ("from d2l.torch import SGD", "SGD", "from d2l.torch import SGD"),
    ("import d2l.torch as t\nS = t.SGD\nSGD = S", "SGD", "SGD = S"),
    ("class SGD(d2l.SGD):\n    pass", "SGD", "class SGD(d2l.SGD)"),
    ("if True:\n    SGD = d2l.SGD", "SGD", "SGD = d2l.SGD"),
    ("def cross_entropy(y_hat, y):\n    return d2l.Classifier().loss(torch.log(y_hat), y)", "cross_entropy",
     "cross_entropy uses d2l.Classifier"),
    ("def helper(a, b):\n    return d2l.Classifier.accuracy(None, a, b)\n\n"
     "def accuracy(y_hat, y):\n    return helper(y_hat, y)", "accuracy", "accuracy uses d2l.Classifier"),
    ("accuracy = lambda y_hat, y: d2l.Classifier.accuracy(None, y_hat, y)", "accuracy",
     "accuracy uses d2l.Classifier"),
    ("from d2l.torch import Classifier\ndef accuracy(y_hat, y):\n    return Classifier.accuracy(None, y_hat, y)",
     "accuracy", "accuracy uses Classifier"),
])
def test_a_name_bound_to_d2ls_object_is_not_own_work(code, name, binding):
    assert provided_in(IMPORT + code).get(name) == binding


def test_the_last_binding_decides():
    assert "SGD" in provided_in(IMPORT + "class SGD:\n    pass\n\nSGD = d2l.SGD")
    assert "SGD" not in provided_in(IMPORT + "SGD = d2l.SGD\n\nclass SGD:\n    pass")
    # a torch name is not d2l's, even when d2l's torch module was imported under that name first
    assert provided_in("from d2l import torch\nimport torch\nsoftmax = torch.softmax") == {}


def test_globals_in_finds_every_notebook_name_a_request_reaches():
    request = {"op": "call", "target": {"$global": "train", "attrs": ["fit"]},
               "args": [{"$ref": 3}, {"$list": [{"$global": "SGD"}]}], "kwargs": {"$dict": []}}
    assert globals_in(request) == {"train", "SGD"}


class Silent:
    """A kernel connection that answers nothing: a request sent would time out."""

    def __init__(self) -> None:
        self.sent: list[dict] = []

    def send(self, msg_type, content, buffers=None, control=False):
        self.sent.append(content)
        return "id"

    def request_kernel_info(self):
        return "info"

    def next_iopub(self, timeout):
        return {"msg_type": "status", "parent_header": {"msg_id": "info"}, "content": {}}

    def close(self):
        pass


def test_a_call_of_d2ls_object_gets_no_value_and_says_why():
    channel = Silent()
    student = Student(None, IMPORT + "SGD = d2l.SGD\n", client=channel)
    sent_before = len(channel.sent)
    with pytest.raises(NotOwnWork) as verdict:
        student.SGD([1.0], lr=0.1)
    assert len(channel.sent) == sent_before  # nothing went to the kernel
    assert str(verdict.value).startswith("SGD is d2l's, not your own (SGD = d2l.SGD): the assignment asks you")
    assert verdict.value.hidden_text == "SGD is d2l's, not your own"
