"""LocalStudent: checks calling functions of this process's namespace as if through a kernel."""

from __future__ import annotations

import random

import numpy as np
import pytest
import torch

from grader.checking.local_student import LocalStudent
from grader.checking.missing import CodeCell, explain_missing
from grader.checking.student import Remote
from grader.checking.verdicts import StudentMissing, StudentRaised


def test_arguments_and_answers_travel_as_fresh_plain_data():
    seen = {}

    def keep(X):
        seen["X"] = X
        return X

    student = LocalStudent({"keep": keep})
    X = torch.randn(2, 3)
    answer = student.keep(X)
    assert torch.equal(answer, X) and answer is not X and seen["X"] is not X


def test_objects_that_are_not_data_stay_behind_handles():
    class Model:
        def __init__(self):
            self.w = torch.ones(2)

        def forward(self, X):
            return X * self.w

    student = LocalStudent({"Model": Model})
    model = student.Model()
    assert isinstance(model, Remote)
    assert torch.equal(model.forward(torch.tensor([1.0, 2.0])), torch.tensor([1.0, 2.0]))
    assert torch.equal(student.get(model.w), torch.ones(2))


def test_a_raising_function_is_a_verdict_with_the_students_line():
    def broken(X):
        return X / "a"

    with pytest.raises(StudentRaised, match="TypeError"):
        LocalStudent({"broken": broken}).broken(1)


def test_a_missing_name_says_which_cell_failed():
    cells = [CodeCell("code cell 1", "import torch"),
             CodeCell("code cell 2", "def softmax(X):\n    return (X\n")]
    student = LocalStudent({}, explain_missing=lambda name: explain_missing(name, cells))
    with pytest.raises(StudentMissing) as missing:
        student.softmax(torch.zeros(1))
    assert str(missing.value) == ("softmax is not defined: code cell 2, which defines it, raised "
                                  "SyntaxError: '(' was never closed (line 2)")
    with pytest.raises(StudentMissing, match="relu is not defined: no code cell defines it"):
        student.relu(torch.zeros(1))


def test_a_missing_function_passed_as_an_argument_says_why_too():
    cells = [CodeCell("code cell 3", "def softmax(X):\n    return 1 / 0\nsoftmax(1)",
                      "raised ZeroDivisionError: division by zero")]

    def apply(function, X):
        return function(X)

    student = LocalStudent({"apply": apply}, explain_missing=lambda name: explain_missing(name, cells))
    with pytest.raises(StudentMissing, match="code cell 3, which defines it, raised ZeroDivisionError"):
        student.apply(student.softmax, torch.zeros(1))


def test_the_two_sides_keep_their_own_random_numbers_and_the_notebook_gets_its_back():
    torch.manual_seed(5)
    random.seed(5)
    np.random.seed(5)
    expected = torch.rand(3)
    torch.manual_seed(5)
    student = LocalStudent({"draw": lambda: torch.rand(2)})
    student.seed(0)
    student.draw()
    torch.manual_seed(0)  # the checks' side reseeds and draws: the student's side is not moved
    torch.rand(4)
    torch.manual_seed(0)
    first = torch.rand(2)
    student.seed(0)
    assert torch.equal(student.draw(), first)
    student.close()
    assert torch.equal(torch.rand(3), expected)
