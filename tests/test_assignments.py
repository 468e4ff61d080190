"""The checks of every assignment, end to end on real notebooks in real sandboxed kernels.

For each assignment: the solved notebook scores full marks, the untouched assignment scores zero
with a message on every check, and for every graded function one realistic bug fails the
checks of that function it should fail, costs that function all its points (the scoring rule),
and costs no other function anything. Bugs are made by a string replacement in a cell of the
solution. Where the functions of an assignment do not call each other in their checks, their
bugs share one notebook (each bug still judged on its own function's checks); the required case
of 04 (softmax over the wrong axis) has a notebook of its own. Right answers built on forbidden
APIs fail the from-scratch condition only, which costs their function's points. Each notebook is graded once per module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest

from grader.pipeline import grade
from grader.results import CheckStatus, GradeReport, GradeStatus

from conftest import CONTRACT, COURSE

pytestmark = [
    pytest.mark.notebook,
    # An engine leak, not a check's concern: a kernel client's zmq socket from an earlier grading
    # is sometimes garbage-collected unclosed during a later test (ResourceWarning in __del__).
    pytest.mark.filterwarnings(
        r"ignore:Exception ignored in. <function Socket\.__del__:pytest.PytestUnraisableExceptionWarning"),
]


@dataclass(frozen=True)
class Bug:
    notebook: str  # the buggy notebook it goes into (bugs of one notebook share a grading)
    function: str
    old: str  # text of the solution's cell ...
    new: str  # ... and what replaces it
    still_passes: frozenset[str] = field(default_factory=frozenset)  # checks of `function` it cannot fail
    fails: frozenset[str] | None = None  # or: the only checks of `function` it fails

    @property
    def assignment(self) -> str:
        return self.notebook.split(":")[0]

    @property
    def id(self) -> str:
        return f"{self.notebook.replace(':', '-')}-{self.function}"


def passes(*names: str) -> frozenset[str]:
    return frozenset(names)


BUGS = [
    # 01: each function's checks call that function only.
    Bug("01_preprocessing", "missing_fraction",  # counts instead of fractions
        "return df.isna().mean().astype(float)", "return df.isna().sum().astype(float)",
        passes("missing_fraction: leaves its input unchanged")),
    Bug("01_preprocessing", "drop_most_missing",  # drops in place, changing the caller's frame
        "return df.drop(columns=counts.idxmax())",
        "df.drop(columns=counts.idxmax(), inplace=True)\n    return df",
        passes("drop_most_missing: drops the column with the most missing values (the first on a tie)",
               "drop_most_missing: no gaps, one row, an all-missing column, a shuffled index")),
    Bug("01_preprocessing", "preprocess",  # forgets the missing-value indicator columns
        "pd.get_dummies(inputs, dummy_na=True)", "pd.get_dummies(inputs)",
        passes("preprocess: leaves its input unchanged")),
    # 02
    Bug("02_linear_algebra_autograd", "frobenius_norm",  # the norm without its square root
        "return torch.sqrt((A * A).sum())", "return (A * A).sum()",
        passes("frobenius_norm: leaves its input unchanged",
               "frobenius_norm: computed from scratch, without a built-in norm")),
    Bug("02_linear_algebra_autograd", "row_normalize",  # sums without keepdims: broadcasts wrongly
        "A.sum(axis=1, keepdims=True)", "A.sum(axis=1)"),
    Bug("02_linear_algebra_autograd", "gradient",  # D2L's x.requires_grad_() on the caller's x
        "x = x.detach().clone().requires_grad_(True)", "x.requires_grad_(True)",
        passes("gradient: matches autograd on several functions",
               "gradient: edge cases (one element, float64, not contiguous, huge and tiny entries)")),
    # 03: the SGD checks train with the grader's own model and loss.
    Bug("03_linear_regression", "linreg",  # a vector w: results of shape (n,)
        "return torch.matmul(X, w) + b", "return torch.matmul(X, w.reshape(-1)) + b",
        passes("linreg: leaves its inputs unchanged")),
    Bug("03_linear_regression", "squared_loss",  # forgets to reshape y: (n, 1) - (n,) broadcasts
        "(y_hat - y.reshape(y_hat.shape))", "(y_hat - y)",
        passes("squared_loss: leaves its inputs unchanged")),
    Bug("03_linear_regression", "SGD",  # rebinds a local name: the parameters never change
        "param -= self.lr * param.grad", "param = param - self.lr * param.grad",
        passes("SGD: zero_grad zeroes every gradient and leaves gradless parameters alone")),
    # 04: the model's checks run with the grader's softmax and cross-entropy.
    Bug("04_softmax_regression:softmax", "softmax",  # normalizes over the wrong axis
        "return X_exp / X_exp.sum(dim=1, keepdim=True)", "return X_exp / X_exp.sum(dim=0, keepdim=True)",
        passes("softmax: leaves its input unchanged", "softmax: uses no built-in softmax")),
    Bug("04_softmax_regression", "cross_entropy",  # sums instead of averaging
        "return -torch.log(y_hat[torch.arange(len(y_hat)), y]).mean()",
        "return -torch.log(y_hat[torch.arange(len(y_hat)), y]).sum()",
        passes("cross_entropy: uses no built-in softmax or cross-entropy")),
    Bug("04_softmax_regression", "accuracy",  # the number of hits, not the fraction
        "return (preds == y).sum().item() / len(y)", "return (preds == y).sum().item()"),
    Bug("04_softmax_regression", "SoftmaxRegressionScratch",  # W without requires_grad
        "size=(num_inputs, num_outputs), requires_grad=True)", "size=(num_inputs, num_outputs))",
        passes("SoftmaxRegressionScratch: forward flattens and returns probabilities")),
    # 05: MLPScratch and backprop are judged with the grader's relu.
    Bug("05_mlp", "relu",  # abs instead of max(x, 0)
        "return torch.max(X, a)", "return torch.abs(X)",
        passes("relu: leaves its input unchanged", "relu: uses no built-in ReLU")),
    Bug("05_mlp", "MLPScratch",  # forgets the activation: a linear model (which still trains well)
        "H = relu(X @ self.W1 + self.b1)", "H = X @ self.W1 + self.b1",
        passes("MLPScratch: parameters have the right shapes and start values",
               "MLPScratch: trained, reaches the validation-accuracy threshold")),
    Bug("05_mlp", "backprop",  # forgets relu's derivative
        "dZ = dH * (Z > 0).to(dH.dtype)", "dZ = dH",
        passes("backprop: leaves its inputs unchanged", "backprop: computes by hand, without autograd")),
    # Forbidden APIs: right answers, which lose the from-scratch checks only.
    Bug("02_linear_algebra_autograd:builtins", "frobenius_norm",  # a lambda in place of the def
        'def frobenius_norm(A):\n    """sqrt of the sum of the squared entries of A, as a 0-dim tensor."""\n'
        "    # BEGIN SOLUTION\n    return torch.sqrt((A * A).sum())\n    # END SOLUTION",
        "frobenius_norm = lambda A: torch.linalg.norm(A)",
        fails=frozenset({"frobenius_norm: computed from scratch, without a built-in norm"})),
    Bug("04_softmax_regression:builtins", "softmax",
        "X_exp = torch.exp(X - X.max(dim=1, keepdim=True).values)\n    return X_exp / X_exp.sum(dim=1, keepdim=True)",
        "return X.softmax(dim=1)",
        fails=frozenset({"softmax: uses no built-in softmax"})),
    Bug("04_softmax_regression:builtins", "cross_entropy",
        "return -torch.log(y_hat[torch.arange(len(y_hat)), y]).mean()",
        "return torch.nn.functional.nll_loss(torch.log(y_hat), y)",
        fails=frozenset({"cross_entropy: uses no built-in softmax or cross-entropy"})),
    Bug("05_mlp:builtins", "relu",  # an import in place of the def
        'def relu(X):\n    """Elementwise max(X, 0)."""\n    # BEGIN SOLUTION\n    a = torch.zeros_like(X)\n'
        "    return torch.max(X, a)\n    # END SOLUTION",
        "from torch.nn.functional import relu",
        fails=frozenset({"relu: uses no built-in ReLU"})),
    Bug("05_mlp:builtins", "backprop",
        "    n = X.shape[0]\n    X = X.reshape(n, -1)\n",
        "    n = X.shape[0]\n    X = X.reshape(n, -1)\n"
        "    W1, W2 = W1.clone().requires_grad_(True), W2.clone().requires_grad_(True)\n"
        "    O = relu(X @ W1.T) @ W2.T\n"
        "    J = -torch.log_softmax(O, dim=1)[torch.arange(n), y].mean()"
        " + lambd / 2 * ((W1 ** 2).sum() + (W2 ** 2).sum())\n"
        "    J.backward()\n"
        "    return W1.grad, W2.grad\n",
        fails=frozenset({"backprop: computes by hand, without autograd"})),
]


def with_bugs(assignment: str, bugs: list[Bug], folder: Path) -> Path:
    notebook = nbformat.read(COURSE / "solutions" / f"{assignment}.ipynb", as_version=4)
    for bug in bugs:
        cells = [c for c in notebook.cells if c.cell_type == "code" and bug.old in c.source]
        assert len(cells) == 1 and cells[0].source.count(bug.old) == 1, f"{bug.id}: {bug.old!r} is not unique"
        cells[0].source = cells[0].source.replace(bug.old, bug.new)
    path = folder / f"{assignment}.ipynb"
    nbformat.write(notebook, path)
    return path


@pytest.fixture(scope="module")
def reports() -> dict[str, GradeReport]:
    return {}


@pytest.fixture
def graded(options, reports, tmp_path_factory):
    """graded(key): the report for "solution:<id>", "assignment:<id>" or a buggy notebook's key."""

    def get(key: str) -> GradeReport:
        if key not in reports:
            kind, _, name = key.partition(":")
            if kind == "solution":
                path = COURSE / "solutions" / f"{name}.ipynb"
            elif kind == "assignment":
                path = COURSE / "assignments" / f"{name}.ipynb"
            else:
                bugs = [bug for bug in BUGS if bug.notebook == key]
                path = with_bugs(bugs[0].assignment, bugs, tmp_path_factory.mktemp("bugs"))
            reports[key] = grade(path, options)
        return reports[key]

    return get


@pytest.mark.parametrize("assignment", CONTRACT)
def test_solution_scores_full_marks(graded, assignment):
    report = graded(f"solution:{assignment}")
    assert report.status is GradeStatus.GRADED and report.assignment == assignment
    assert [(c.name, c.detail) for c in report.checks if c.status is not CheckStatus.PASSED] == []
    assert report.score == report.max_score > 0
    assert {c.function for c in report.checks} == CONTRACT[assignment]  # every graded name is judged
    public = {c.function for c in report.checks if not c.hidden}
    assert public == CONTRACT[assignment]  # --public-only still says something about each


@pytest.mark.parametrize("assignment", CONTRACT)
def test_untouched_assignment_scores_zero(graded, assignment):
    report = graded(f"assignment:{assignment}")
    assert report.status is GradeStatus.GRADED and report.assignment == assignment
    assert report.checks and report.score == 0
    assert [c.name for c in report.checks if c.status is not CheckStatus.FAILED] == []  # none errs either
    assert [c.name for c in report.checks if not c.message.strip()] == []


@pytest.mark.parametrize("bug", BUGS, ids=lambda bug: bug.id)
def test_a_bug_fails_its_function_only(graded, bug):
    report = graded(bug.notebook)
    assert [c.name for c in report.checks if c.status is CheckStatus.ERROR] == []
    own = {c.name for c in report.checks if c.function == bug.function}
    expected = bug.fails if bug.fails is not None else own - bug.still_passes
    assert bug.still_passes | expected <= own, "a check named in the bug does not exist"
    failed_itself = {c.name for c in report.checks if c.function == bug.function
                     and c.status is not CheckStatus.PASSED and not c.detail.startswith("passed, but")}
    assert failed_itself == expected
    assert [c.name for c in report.checks if c.function == bug.function and c.points] == []  # the scoring rule
    bugged = {b.function for b in BUGS if b.notebook == bug.notebook}
    others = {c.name for c in report.checks if c.function not in bugged and c.status is not CheckStatus.PASSED}
    assert others == set()
    assert report.score < report.max_score


def test_public_only_says_how_many_points_the_hidden_checks_hold(options):
    import dataclasses

    from grader.reporters.table import render

    report = grade(COURSE / "solutions" / "05_mlp.ipynb", dataclasses.replace(options, public_only=True))
    assert report.score == report.max_score == 15 and report.hidden_points == 3
    assert not any(c.hidden for c in report.checks)
    assert "Total: public 15/15; 3 more points in checks only your instructor's grader runs" in render(report)
