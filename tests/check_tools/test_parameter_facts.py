"""Whether parameters() gives the model's own tensors, read from the notebook's text in the
grading process (issue 21, 1: "trains through its own parameters"). No kernel."""

from __future__ import annotations

import pytest

from grader.check_tools import CheckFailed, expect_own_parameters
from grader.check_tools.parameter_facts import own_parameters

INIT = ("import torch\nfrom torch import nn\n\nclass Model{base}:\n    def __init__(self, n, sigma=0.01):\n"
        "{init}        self.W = {make}(torch.normal(0, sigma, size=(n, 2)){grad})\n"
        "        self.b = {make}(torch.zeros(2){grad})\n")


def model(parameters: str = "", base: str = "", make: str = "", grad: str = ".requires_grad_()",
          init: str = "") -> str:
    return INIT.format(base=base, make=make, grad=grad, init=init) + parameters


@pytest.mark.parametrize("parameters", [
    "    def parameters(self):\n        return [self.W, self.b]\n",
    "    def parameters(self):\n        \"\"\"W and b.\"\"\"\n        return (self.W, self.b)\n",
    "    def parameters(self):\n        yield self.W\n        yield self.b\n",
    "    def parameters(self):\n        yield from (self.W, self.b)\n",
])
def test_the_forms_that_give_the_attributes_themselves_hold(parameters):
    assert own_parameters(model(parameters), "Model", ["W", "b"]) == ""


def test_the_book_style_attached_method_holds_and_a_later_one_replaces_it():
    book = model() + "\n\n@d2l.add_to_class(Model)\ndef parameters(self):\n    return [self.W, self.b]\n"
    assert own_parameters(book, "Model", ["W", "b"]) == ""
    copies = book + "\n\n@d2l.add_to_class(Model)\ndef parameters(self):\n    return [self.W.clone(), self.b.clone()]\n"
    assert "cannot read what it returns" in own_parameters(copies, "Model", ["W", "b"])


def test_nn_modules_own_parameters_hold_for_nn_parameter_attributes():
    module = model(base="(nn.Module)", make="nn.Parameter", grad="", init="        super().__init__()\n")
    assert own_parameters(module, "Model", ["W", "b"]) == ""
    assert "nn.Parameter" in own_parameters(model(base="(nn.Module)", init="        super().__init__()\n"),
                                            "Model", ["W", "b"])
    hooked = module + "    def named_parameters(self, *a, **k):\n        return iter([])\n"
    assert "named_parameters" in own_parameters(hooked, "Model", ["W", "b"])


@pytest.mark.parametrize("parameters, says", [
    ("    def parameters(self):\n        return [self.W.clone(), self.b.clone()]\n", "cannot read what it returns"),
    ("    def parameters(self):\n        return [self.b, self.W]\n", "reads b, W"),
    ("", "no parameters() method"),
    ("    def parameters(self):\n        return [getattr(self, n) for n in self.names]\n", "computed name"),
])
def test_copies_another_order_or_nothing_shown_earn_nothing(parameters, says):
    assert says in own_parameters(model(parameters), "Model", ["W", "b"])


def test_a_notebook_that_wraps_compile_shows_nothing():
    """The attack of issue 21: builtins.compile wrapped to swap the grader's training helper,
    and a model whose parameters() returns copies. Its control (no wrapping) fails the same check."""
    copies = model("    def parameters(self):\n        return [self.W.detach().clone(), self.b.detach().clone()]\n")
    attack = "import builtins\n_compile = builtins.compile\nbuiltins.compile = lambda *a, **k: _compile(*a, **k)\n\n" + copies
    for source in (copies, attack):
        with pytest.raises(CheckFailed, match="training updates what parameters"):
            expect_own_parameters(type("Student", (), {"source": source})(), "Model", ["W", "b"])
    assert "builtins" in own_parameters(attack, "Model", ["W", "b"])
