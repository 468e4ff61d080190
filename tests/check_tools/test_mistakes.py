"""Known mistakes (`@mistake`): computed by their own code when grading, recorded when a kit is
made, replayed in a kit (whose checks file holds no code of theirs)."""

from __future__ import annotations

import tempfile
import types
from pathlib import Path

import torch

from grader.check_tools import in_float64, mistake
from grader.checking.mistakes import RUNNING_REFERENCE
from grader.checking.recorded import RecordedReference, RecordingReference
from grader.instructor.student_kit import public_checks

RUNS = []


@mistake
def softmax_over_columns(X):
    RUNS.append(X)
    return torch.exp(X) / torch.exp(X).sum(dim=0, keepdim=True)


def with_reference(reference, function, *args):
    running = RUNNING_REFERENCE.set(reference)
    try:
        return function(*args)
    finally:
        RUNNING_REFERENCE.reset(running)


def test_a_mistake_is_its_own_code_when_grading_and_its_recording_in_a_kit(tmp_path):
    X = torch.tensor([[1.0, 2.0], [3.0, 5.0]])
    direct = in_float64(softmax_over_columns, X)  # no check running: its own code
    solution = types.SimpleNamespace(softmax=lambda X: X)  # grading: the solution has no recording
    assert torch.equal(with_reference(solution, in_float64, softmax_over_columns, X), direct)
    recording = RecordingReference(solution)
    assert torch.equal(with_reference(recording, in_float64, softmax_over_columns, X), direct)
    recording.save(tmp_path / "answers.json")
    RUNS.clear()
    kit = RecordedReference(tmp_path / "answers.json")
    assert torch.equal(with_reference(kit, in_float64, softmax_over_columns, X), direct)
    assert RUNS == []  # replayed: the mistake's code did not run
    assert with_reference(kit, in_float64, softmax_over_columns, X + 1) is None  # not recorded


CHECKS = '''"""Checks."""
import pytest
import torch

from grader.check_tools import expect_close, mistake


@mistake
def softmax_over_columns(X):
    X_exp = torch.exp(X - X.max(dim=0, keepdim=True).values)
    return X_exp / X_exp.sum(dim=0, keepdim=True)


@pytest.mark.check("softmax: values", points=1)
def test_softmax(student, reference):
    X = torch.randn(3, 3)
    expect_close(student.softmax(X), reference.softmax(X), call="softmax(X)",
                 mistakes={"columns": softmax_over_columns(X)})
'''


def test_the_kit_s_checks_hold_no_code_of_a_mistake():
    text, _, _ = public_checks_of(CHECKS)
    assert "X_exp" not in text and "dim=0" not in text
    assert "@mistake\ndef softmax_over_columns(X):\n    raise NotInKit(" in text
    assert "def test_softmax(student, reference):" in text  # the check itself stays
    compile(text, "kit.py", "exec")


def public_checks_of(text: str):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "x.py"
        path.write_text(text)
        return public_checks(path)
