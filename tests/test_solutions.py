"""The solved notebooks: they run, and their graded cells honour the assignment contract."""

import ast
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest
import torch

from grader.options import GradeOptions
from grader.pipeline import unrun_checks
from grader.submission.course import Course, is_helper_file

ROOT = Path(__file__).resolve().parent.parent
COURSE = ROOT / "course"  # the built-in D2L course

# Every assignment of this repository, found on disk: adding one needs no edit here.
ASSIGNMENTS = sorted(path.stem for path in (COURSE / "solutions").glob("*.ipynb"))


def judged_functions(assignment_id):
    """What the checks judge, from their markers: the text of each name before its colon."""
    course = Course(COURSE)
    checks = unrun_checks(course.assignments[assignment_id], GradeOptions(course=course), "not run")
    assert checks, f"checks/{assignment_id}.py holds no check"
    return sorted({check.function for check in checks})


# Names that must not appear inside these graded functions (attribute or plain name).
FORBIDDEN = {
    ("02_linear_algebra_autograd", "frobenius_norm"): {"norm", "vector_norm", "matrix_norm"},
    ("04_softmax_regression", "softmax"): {"softmax", "log_softmax", "cross_entropy", "nll_loss"},
    ("04_softmax_regression", "cross_entropy"): {
        "softmax", "log_softmax", "cross_entropy", "nll_loss", "CrossEntropyLoss", "NLLLoss",
    },
    ("05_mlp", "relu"): {"relu", "relu_", "ReLU"},
    ("05_mlp", "backprop"): {"backward", "autograd", "grad"},
}


def graded_cells(assignment_id):
    nb = nbformat.read(COURSE / "solutions" / f"{assignment_id}.ipynb", 4)
    return [
        cell
        for cell in nb.cells
        if cell.cell_type == "code" and {"setup", "graded"} & set(cell.metadata.get("tags", []))
    ]


def reference(assignment_id):
    """A fresh namespace holding the solution's setup and graded cells, as the grader builds it."""
    namespace = {"__name__": f"reference_{assignment_id}"}
    for cell in graded_cells(assignment_id):
        exec(compile(cell.source, f"<{assignment_id}:{cell.id}>", "exec"), namespace)
    return namespace


def test_every_assignment_has_a_solution_and_checks():
    checks = sorted(p.stem for p in (COURSE / "checks").glob("*.py") if not is_helper_file(p))
    assert checks == ASSIGNMENTS


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_solution_metadata_and_format(assignment_id):
    path = COURSE / "solutions" / f"{assignment_id}.ipynb"
    nb = nbformat.read(path, 4)
    nbformat.validate(nb)
    assert (nb.nbformat, nb.nbformat_minor) == (4, 5)
    assert nb.metadata.grader.assignment == assignment_id
    assert nb.metadata.kernelspec.name == "python3"
    for cell in nb.cells:
        assert "id" in cell
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
    tags = [tag for cell in nb.cells for tag in cell.metadata.get("tags", [])]
    assert "setup" in tags and "graded" in tags
    # the solutions themselves need no d2l (their markdown says students may use it)
    assert not any("d2l" in cell.source for cell in nb.cells if cell.cell_type == "code")


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_setup_and_graded_cells_define_the_contract(assignment_id):
    namespace = reference(assignment_id)
    missing = [name for name in judged_functions(assignment_id) if not callable(namespace.get(name))]
    assert missing == []


@pytest.mark.parametrize(("assignment_id", "function"), FORBIDDEN, ids=lambda x: str(x))
def test_graded_functions_avoid_forbidden_apis(assignment_id, function):
    for cell in graded_cells(assignment_id):
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.FunctionDef) and node.name == function:
                used = {
                    getattr(inner, "attr", getattr(inner, "id", None))
                    for statement in node.body
                    for inner in ast.walk(statement)
                }
                assert used.isdisjoint(FORBIDDEN[assignment_id, function])
                return
    pytest.fail(f"{function} not defined in a graded cell")


@pytest.mark.notebook
@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_solved_notebook_executes(assignment_id, monkeypatch):
    import nbclient

    # The kernel inherits this: with torch's default of one thread per core, a busy neighbour
    # process can slow these tiny training loops a hundredfold (OpenMP threads wait on each other).
    monkeypatch.setenv("OMP_NUM_THREADS", "1")

    nb = nbformat.read(COURSE / "solutions" / f"{assignment_id}.ipynb", 4)
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors == []


# The reference solutions against the contract's finer points.


@pytest.fixture(scope="module")
def ref01():
    return reference("01_preprocessing")


@pytest.fixture(scope="module")
def ref02():
    return reference("02_linear_algebra_autograd")


@pytest.fixture(scope="module")
def ref03():
    return reference("03_linear_regression")


@pytest.fixture(scope="module")
def ref04():
    return reference("04_softmax_regression")


@pytest.fixture(scope="module")
def ref05():
    return reference("05_mlp")


def mixed_frame():
    return pd.DataFrame(
        {
            "num": [1.0, np.nan, 3.0, 4.0],
            "text": pd.Series(["a", None, "b", "a"], dtype="str"),
            "obj": pd.Series(["x", "y", None, "x"], dtype=object),
            "cat": pd.Categorical(["p", "q", "p", None]),
            "flag": [True, False, True, False],
            "count": pd.array([1, None, 3, 4], dtype="Int64"),
            "target": [10, 20, 30, 40],
        }
    )


def test_missing_fraction(ref01):
    frame = mixed_frame()
    fraction = ref01["missing_fraction"](frame)
    assert list(fraction.index) == list(frame.columns)
    assert fraction.dtype == np.float64
    assert fraction.tolist() == [0.25, 0.25, 0.25, 0.25, 0.0, 0.25, 0.0]


def test_drop_most_missing_ties_and_copies(ref01):
    frame = mixed_frame()
    before = frame.copy()
    remaining = ["text", "obj", "cat", "flag", "count", "target"]  # first of the tied columns
    assert list(ref01["drop_most_missing"](frame).columns) == remaining
    pd.testing.assert_frame_equal(frame, before)
    full = pd.DataFrame({"a": [1], "b": [2]})
    assert list(ref01["drop_most_missing"](full).columns) == ["b"]


def test_preprocess_handles_every_dtype_and_copies(ref01):
    frame = mixed_frame()
    before = frame.copy()
    X, y = ref01["preprocess"](frame, "target")
    pd.testing.assert_frame_equal(frame, before)
    expected_columns = list(pd.get_dummies(frame.drop(columns="target"), dummy_na=True).columns)
    assert expected_columns == [
        "num", "flag", "count", "text_a", "text_b", "text_nan",
        "obj_x", "obj_y", "obj_nan", "cat_p", "cat_q", "cat_nan",
    ]
    assert X.dtype == torch.float32 and y.dtype == torch.float32
    assert X.shape == (4, 12) and y.tolist() == [10, 20, 30, 40]
    assert X[:, 0].tolist() == pytest.approx([1, 8 / 3, 3, 4])  # mean filled
    assert X[:, 1].tolist() == [1, 0, 1, 0]  # bool stays, as 0/1
    assert X[:, 2].tolist() == pytest.approx([1, 8 / 3, 3, 4])  # nullable integers filled too
    assert X[:, 3:6].tolist() == [[1, 0, 0], [0, 0, 1], [0, 1, 0], [1, 0, 0]]  # pandas 3 str dtype
    assert X[:, 9:12].tolist() == [[1, 0, 0], [0, 1, 0], [1, 0, 0], [0, 0, 1]]


def test_frobenius_norm(ref02):
    norm = ref02["frobenius_norm"](torch.tensor([[3.0, 0.0], [0.0, -4.0]]))
    assert norm.dim() == 0 and norm.item() == 5.0


def test_row_normalize(ref02):
    A = torch.tensor([[1.0, 3.0], [2.0, 2.0]])
    assert torch.equal(ref02["row_normalize"](A), torch.tensor([[0.25, 0.75], [0.5, 0.5]]))


@pytest.mark.parametrize("requires_grad", [False, True])
def test_gradient_leaves_x_alone(ref02, requires_grad):
    x = torch.tensor([[1.0, -2.0], [0.5, 3.0]], requires_grad=requires_grad)
    grad = ref02["gradient"](lambda t: (t**3).sum(), x)
    assert torch.allclose(grad, 3 * x.detach() ** 2) and grad.shape == x.shape
    assert x.requires_grad == requires_grad and x.grad is None
    assert torch.equal(x.detach(), torch.tensor([[1.0, -2.0], [0.5, 3.0]]))


def test_linear_regression_recovers_the_truth(ref03):
    torch.manual_seed(0)
    true_w, true_b = torch.tensor([2, -3.4]), 4.2
    X = torch.randn(1000, 2)
    y = X @ true_w + true_b + 0.01 * torch.randn(1000)
    w = torch.normal(0, 0.01, size=(2, 1), requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    assert ref03["linreg"](X, w, b).shape == (1000, 1)
    optimizer = ref03["SGD"]([w, b], 0.03)
    for _ in range(3):
        for start in range(0, 1000, 10):
            loss = ref03["squared_loss"](ref03["linreg"](X[start:start + 10], w, b), y[start:start + 10])
            assert loss.dim() == 0
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
    assert torch.allclose(w.detach().reshape(-1), true_w, atol=0.01)
    assert abs(b.item() - true_b) < 0.01
    assert w.is_leaf and w.grad_fn is None


def test_sgd_zero_grad_leaves_gradless_parameters_alone(ref03):
    with_grad = torch.ones(2, requires_grad=True)
    without = torch.ones(2, requires_grad=True)
    with_grad.sum().backward()
    ref03["SGD"]([with_grad, without], 0.1).zero_grad()
    assert without.grad is None
    assert with_grad.grad is None or torch.equal(with_grad.grad, torch.zeros(2))


def test_softmax_is_stable_and_cross_entropy_matches(ref04):
    softmax, cross_entropy = ref04["softmax"], ref04["cross_entropy"]
    P = softmax(torch.tensor([[1000.0, 0.0, -1000.0], [1.0, 2.0, 3.0]]))
    assert torch.isfinite(P).all() and torch.allclose(P.sum(dim=1), torch.ones(2))
    logits, labels = torch.randn(6, 4), torch.tensor([0, 1, 2, 3, 0, 1])
    loss = cross_entropy(softmax(logits), labels)
    assert loss.dim() == 0
    assert torch.allclose(loss, torch.nn.functional.cross_entropy(logits, labels))
    assert ref04["accuracy"](torch.eye(3), torch.tensor([0, 2, 2])) == pytest.approx(2 / 3)


def test_softmax_regression_model(ref04):
    torch.manual_seed(0)
    model = ref04["SoftmaxRegressionScratch"](64, 10, 0.1)
    assert model.W.shape == (64, 10) and model.b.shape == (10,)
    assert 0.005 < model.W.std().item() < 0.015 and not model.b.any()
    assert model.parameters() == [model.W, model.b] or all(
        a is b for a, b in zip(model.parameters(), [model.W, model.b], strict=True)
    )
    assert model.forward(torch.rand(3, 1, 8, 8)).shape == (3, 10)


def test_mlp_returns_logits(ref05):
    torch.manual_seed(0)
    net = ref05["MLPScratch"](64, 10, 32, 0.1, sigma=0.01)
    assert [tuple(p.shape) for p in net.parameters()] == [(64, 32), (32,), (32, 10), (10,)]
    X = torch.rand(5, 1, 8, 8)
    expected = torch.clamp(X.reshape(5, -1) @ net.W1 + net.b1, min=0) @ net.W2 + net.b2
    assert torch.allclose(net.forward(X), expected)
    assert torch.equal(ref05["relu"](torch.tensor([-1.0, 0.0, 2.0])), torch.tensor([0.0, 0.0, 2.0]))


def test_backprop_matches_autograd(ref05):
    torch.manual_seed(0)
    X, y = torch.randn(7, 5), torch.tensor([0, 1, 2, 3, 0, 1, 2])
    W1 = torch.randn(6, 5, requires_grad=True)
    W2 = torch.randn(4, 6, requires_grad=True)
    J = torch.nn.functional.cross_entropy(torch.clamp(X @ W1.T, min=0) @ W2.T, y) + 0.3 / 2 * (
        (W1**2).sum() + (W2**2).sum()
    )
    J.backward()
    dW1, dW2 = ref05["backprop"](X, y, W1.detach(), W2.detach(), 0.3)
    assert dW1.shape == (6, 5) and dW2.shape == (4, 6)
    assert torch.allclose(dW1, W1.grad, atol=1e-5) and torch.allclose(dW2, W2.grad, atol=1e-5)
