"""The rule for functions sent into the kernel (`student.define`): self-contained, else AuthoringError."""

from __future__ import annotations

import types

import pytest
import torch
from d2l_course import in_kernel  # the built-in course's own (course/lib)

from grader.checking import sending
from grader.checking.sending import source_to_send
from grader.errors import AuthoringError
from grader.in_sandbox import helpers

SCALE = 3.0


def self_contained(X):
    import torch

    return torch.relu(X) * len(X)  # builtins are fine


def uses_a_global_of_this_file(X):
    return torch.relu(X) * SCALE


def test_a_self_contained_function_is_sent_as_its_own_text():
    source, name = source_to_send(self_contained)
    assert name == "self_contained" and source.startswith("def self_contained(X):")
    namespace: dict = {}
    exec(source, namespace)  # what the kernel does with it
    assert torch.equal(namespace[name](torch.tensor([-1.0, 2.0])), torch.tensor([0.0, 4.0]))


def test_a_nested_function_is_dedented():
    def inner(x):
        return [v * 2 for v in x]

    source, _ = source_to_send(inner)
    assert source.startswith("def inner(x):")


def test_globals_of_the_checks_file_are_refused_with_their_names_and_line():
    with pytest.raises(AuthoringError) as error:
        source_to_send(uses_a_global_of_this_file)
    assert "uses SCALE, torch of the checks file" in error.value.problem
    assert error.value.path == "test_sending.py"
    assert error.value.line == uses_a_global_of_this_file.__code__.co_firstlineno


def test_variables_of_an_enclosing_function_are_refused():
    factor = 2

    def closure(x):
        return x * factor

    with pytest.raises(AuthoringError, match="uses factor from the function around it"):
        source_to_send(closure)


def test_lambdas_and_builtins_are_refused():
    for thing in (lambda x: x, len):
        with pytest.raises(AuthoringError, match="not a function written with def"):
            source_to_send(thing)


def imported_roots(source):
    return {line.split()[1].split(".")[0] for line in source.splitlines() if line.startswith(("import ", "from "))}


def test_a_helper_is_sent_with_its_whole_module_which_imports_nothing_of_the_grader():
    source, name = source_to_send(helpers.train_classifier)
    assert name == "train_classifier"
    namespace: dict = {"__name__": "__grader__"}
    exec(compile(source, "<grader>", "exec"), namespace)  # as the responder runs it
    assert namespace["minibatches"] is not None and "grader" not in imported_roots(source)
    assert "GRADER_VERSIONS" not in namespace and "softmax" not in namespace  # a course's, not the engine's


def test_a_course_module_is_sent_after_the_engine_helpers_in_place_of_its_import_of_them():
    source, name = source_to_send(in_kernel.GraderSoftmaxRegression)  # a class of it, too
    assert name == "GraderSoftmaxRegression" and "grader" not in imported_roots(source)
    assert source.index("def train_classifier(") < source.index("def train_grader_softmax_regression(")
    namespace: dict = {"__name__": "__grader__"}
    exec(compile(source, "<grader>", "exec"), namespace)  # as the responder runs it
    relu = namespace["GRADER_VERSIONS"]["relu"]
    assert torch.equal(relu(torch.tensor([-1.0, 1.0])), torch.tensor([0.0, 1.0]))
    X, y = torch.randn(40, 3), torch.randint(0, 2, (40,))
    trained = namespace["train_grader_softmax_regression"](namespace["cross_entropy"], [3, 2, 0.1], X, y, 0.1, 2, 8, 0)
    assert set(trained) == {"W", "b"} and trained["W"].shape == (3, 2)
    with pytest.raises(AuthoringError, match="without 'as'"):
        sending.module_text(fake_module("from grader.in_sandbox.helpers import minibatches as m\n"))


def fake_module(text, name="fake_course"):
    """A module sent whole whose source is `text` (inspect reads it from linecache)."""
    import linecache

    path = f"<{name}>"
    linecache.cache[path] = (len(text), None, text.splitlines(keepends=True), path)
    module = types.ModuleType(name)
    module.__file__, module.SENT_WHOLE = path, True
    exec(compile(text, path, "exec"), module.__dict__)  # our own text
    return module


def test_with_grader_names_binds_the_graders_function_for_the_call_only():
    namespace = helpers.notebook_namespace()
    namespace["relu"] = "the student's"
    try:
        seen = in_kernel.with_grader_relu(lambda: namespace["relu"])
        assert seen is in_kernel.relu and namespace["relu"] == "the student's"
    finally:
        namespace.pop("relu")
