"""Checks for 04_softmax_regression (D2L 4.1 to 4.4). Judged in the grading process.

Scoring (the plugin's rule): a function earns its points only when all of its checks pass; the
conditions ("uses no built-in", "leaves its input unchanged") hold no points but cost the
function's points when they fail. References are computed in float64 (`in_float64`) and the
tolerance follows the rule of `grader.check_tools.expect` (`ops=`, `like=`).

SoftmaxRegressionScratch's checks run with the grader's own `softmax` bound to that name
(`with_grader_softmax`), and training uses the grader's cross-entropy, so a wrong softmax or
cross_entropy costs its own points only. The contract's "trained with the student's
cross_entropy" is its own check of cross_entropy: the student's loss trains the grader's model. The trained W and b come back, and validation accuracy
is computed here with the grader's own forward: nothing computed in the kernel counts.
"""

from grader.checking.recorded import NotInKit  # the stubs of hidden checks

import pytest
import torch

from grader.check_tools import (
    SOFTMAX_REGRESSION,
    call_with_copies,
    classifier_accuracy,
    expect,
    expect_close,
    expect_no_builtin,
    expect_unchanged,
    in_float64,
    parameters_report,
    train_classifier,
    train_grader_softmax_regression,
    with_grader_softmax,
)

FORBIDDEN = {"softmax", "log_softmax", "cross_entropy", "nll_loss", "CrossEntropyLoss",
             "NLLLoss", "LogSoftmax", "Softmax", "Softmin", "softmin"}
FORBIDDEN_NODES = {"SoftmaxBackward0", "LogSoftmaxBackward0", "NllLossBackward0", "NllLoss2DBackward0"}

# Validation accuracy on the digits after 10 epochs, lr 0.5, batch 64, trained with the grader's
# cross-entropy and judged with the grader's forward on the returned W and b
# (tools/measure_thresholds.py, one thread, about 0.1 s of CPU; measured again for the grader's
# forward): the reference reaches 0.946 to 0.952 over seeds 0-4; a model whose forward skips the
# softmax stays at 0.078 to 0.106, and an update that rebinds `p = p - lr * p.grad` at 0.054 to
# 0.116. Fashion-MNIST: an estimate, not
# measured (the files are not available offline).
THRESHOLDS = {"digits": 0.90, "fashion-mnist": 0.78}
TRAINING = {"digits": dict(lr=0.5, epochs=10, batch_size=64),
            "fashion-mnist": dict(lr=0.1, epochs=3, batch_size=256)}


# -- functions sent into the kernel (student.define): self-contained, they import what they use --

def grad_of_softmax(softmax, O, weights):
    O = O.clone().requires_grad_(True)
    (softmax(O) * weights).sum().backward()
    return O.grad


def grad_of_cross_entropy(cross_entropy, O, y):
    import torch

    O = O.clone().requires_grad_(True)
    cross_entropy(torch.exp(O - O.logsumexp(dim=1, keepdim=True)), y).backward()
    return O.grad


def forward_without_grad(model, X):
    import torch

    with torch.no_grad():
        return model.forward(X)


def logits_cases():
    torch.manual_seed(0)
    return [
        ("X = torch.randn(4, 5)", torch.randn(4, 5)),
        ("X = torch.randn(1, 3) (one row)", torch.randn(1, 3)),
        ("X = torch.randn(6, 1) (one column)", torch.randn(6, 1)),
        ("X = torch.randn(3, 4, dtype=torch.float64)", torch.randn(3, 4, dtype=torch.float64)),
        ("X = torch.randn(5, 3).T (not contiguous)", torch.randn(5, 3).T),
        ("X = 1e-4 * torch.randn(4, 3) (tiny logits)", 1e-4 * torch.randn(4, 3)),
    ]


@pytest.mark.check("softmax: rows are probabilities that sum to one", points=1)
def test_softmax_rows_sum_to_one(student):
    X = torch.randn(4, 5)
    P = student.softmax(X)
    expect(isinstance(P, torch.Tensor) and P.shape == (4, 5),
           f"softmax(X) with X = torch.randn(4, 5) should return a (4, 5) tensor, got "
           f"{tuple(P.shape) if isinstance(P, torch.Tensor) else type(P).__name__}")
    expect(bool((P >= 0).all()), "softmax(X) with X = torch.randn(4, 5) has negative entries")
    expect_close(P.sum(dim=1), torch.ones(4, dtype=torch.float64), dtype=torch.float32, ops=16,
                 call="softmax(X).sum(dim=1) with X = torch.randn(4, 5)")


@pytest.mark.check("softmax: matches the reference on several inputs", points=3)
def test_softmax_values(student, reference):
    for text, X in logits_cases():
        expect_close(student.softmax(X), in_float64(reference.softmax, X), dtype=X.dtype, ops=8, like=X,
                     call=f"softmax(X) with {text}")


@pytest.mark.check("softmax: stays finite for logits near 1000", points=2)
def test_softmax_large_logits(student, reference):
    X = torch.tensor([[1000.0, 0.0, -1000.0], [999.0, 1000.0, 998.0]])
    expect_close(student.softmax(X), in_float64(reference.softmax, X), dtype=X.dtype, ops=8, like=X,
                 call="softmax(X) with X = [[1000, 0, -1000], [999, 1000, 998]]")


@pytest.mark.check("softmax: gradients match the reference", points=1)
def test_softmax_gradient(student, reference):
    grads = student.define(grad_of_softmax)
    O, weights = torch.randn(4, 3), torch.randn(4, 3)
    expected_O = O.double().requires_grad_(True)
    (reference.softmax(expected_O) * weights.double()).sum().backward()
    expect_close(grads(student.softmax, O, weights), expected_O.grad, dtype=O.dtype, ops=16, like=weights,
                 call="the gradient of (softmax(O) * W).sum() with respect to O")


@pytest.mark.check("softmax: leaves its input unchanged", condition=True)
def test_softmax_input_unchanged(student):
    call = student.define(call_with_copies)
    before, after = call(student.softmax, [torch.randn(3, 4)])
    expect_unchanged(before[0], after[0], call="softmax(X)", what="X")


@pytest.mark.check("softmax: uses no built-in softmax", condition=True)
def test_softmax_no_builtin(student):
    expect_no_builtin(student, "softmax", FORBIDDEN, [torch.randn(2, 3)], nodes=FORBIDDEN_NODES,
                      advice="build it from exp and sum")


def cross_entropy_cases():
    torch.manual_seed(1)
    return [
        ("y_hat = [[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]], y = [0, 2]",
         torch.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]]), torch.tensor([0, 2])),
        ("y_hat of shape (1, 4) (one row)", torch.softmax(torch.randn(1, 4), 1), torch.tensor([3])),
        ("y_hat of shape (8, 10)", torch.softmax(torch.randn(8, 10), 1), torch.randint(0, 10, (8,))),
        ("y_hat float64 of shape (5, 3)", torch.softmax(torch.randn(5, 3, dtype=torch.float64), 1),
         torch.randint(0, 3, (5,))),
    ]


@pytest.mark.check("cross_entropy: matches the reference on several inputs", points=2)
def test_cross_entropy_values(student, reference):
    for text, y_hat, y in cross_entropy_cases():
        got = student.cross_entropy(y_hat, y)
        expect(isinstance(got, torch.Tensor) and got.dim() == 0,
               f"cross_entropy(y_hat, y) with {text} should return a 0-dim tensor, got "
               f"{'shape ' + str(tuple(got.shape)) if isinstance(got, torch.Tensor) else type(got).__name__}")
        expect_close(got, in_float64(reference.cross_entropy, y_hat, y), dtype=y_hat.dtype, ops=16,
                     call=f"cross_entropy(y_hat, y) with {text}")


@pytest.mark.check("cross_entropy: gradients match the reference", points=1)
def test_cross_entropy_gradient(student, reference):
    grads = student.define(grad_of_cross_entropy)
    O, y = torch.randn(6, 4), torch.randint(0, 4, (6,))
    expected_O = O.double().requires_grad_(True)
    reference.cross_entropy(torch.exp(expected_O - expected_O.logsumexp(1, keepdim=True)), y).backward()
    expect_close(grads(student.cross_entropy, O, y), expected_O.grad, dtype=O.dtype, ops=16,
                 call="the gradient of cross_entropy(softmax(O), y) with respect to O")


@pytest.mark.check("cross_entropy: hidden check 1", points=1, hidden=True)
def test_hidden_1():
    raise NotInKit("your instructor's grader runs this check: it is not in the student kit")


@pytest.mark.check("cross_entropy: uses no built-in softmax or cross-entropy", condition=True)
def test_cross_entropy_no_builtin(student):
    expect_no_builtin(student, "cross_entropy", FORBIDDEN, [torch.tensor([[0.2, 0.8], [0.6, 0.4]]),
                                                             torch.tensor([1, 0])],
                      nodes=FORBIDDEN_NODES, advice="use log and indexing")


@pytest.mark.check("accuracy: matches the reference", points=1)
def test_accuracy(student, reference):
    torch.manual_seed(2)
    y_hat = torch.softmax(torch.randn(20, 5), 1)
    y = torch.randint(0, 5, (20,))
    got = student.accuracy(y_hat, y)
    expect_close(got, float(reference.accuracy(y_hat, y)), dtype=torch.float32, ops=4,
                 call="accuracy(y_hat, y) with y_hat (20, 5)")
    one = student.accuracy(torch.tensor([[0.1, 0.9]]), torch.tensor([1]))
    expect_close(one, 1.0, dtype=torch.float32, ops=4, call="accuracy(y_hat, y) with one row predicted right")


@pytest.mark.check("SoftmaxRegressionScratch: parameters have the right shapes and start values", points=1)
def test_model_parameters(student):
    model = student.SoftmaxRegressionScratch(64, 10, 0.1, sigma=0.5)
    W, b = student.get(model.W), student.get(model.b)
    expect(isinstance(W, torch.Tensor) and W.shape == (64, 10), f"W should be a (64, 10) tensor, got {W!r:.60}")
    expect(isinstance(b, torch.Tensor) and b.shape == (10,), "b should be a tensor of shape (10,)")
    expect(W.requires_grad and b.requires_grad, "W and b need requires_grad=True")
    expect(0.4 < float(W.std()) < 0.6, f"W should be drawn with standard deviation sigma=0.5, got {float(W.std()):.3f}")
    expect(bool((b == 0).all()), "b should start as zeros")
    found = student.define(parameters_report)(model, ["W", "b"])
    expect(found["count"] == 2 and all(found["same"]),
           "parameters() should give W and b themselves, in that order (a list, a tuple or nn.Module's own)")


@pytest.mark.check("SoftmaxRegressionScratch: forward flattens and returns probabilities", points=1)
def test_model_forward(student, reference, image_data):
    with_softmax = student.define(with_grader_softmax)
    without_grad = student.define(forward_without_grad)
    model = with_softmax(student.SoftmaxRegressionScratch, image_data.train_X[0].numel(), 10, 0.1, sigma=0.5)
    W, b = student.get(model.W), student.get(model.b)
    random_X, images = torch.rand(5, *image_data.train_X.shape[1:]), image_data.train_X[:8]
    cases = [("X = torch.rand(5, 1, h, w)", random_X, with_softmax(model.forward, random_X)),
             ("the first 8 training images, under torch.no_grad()", images, with_softmax(without_grad, model, images))]
    for text, X, got in cases:
        expected = reference.softmax(X.reshape(len(X), -1).double() @ W.detach().double() + b.detach().double())
        expect(isinstance(got, torch.Tensor), f"model.forward(X) with {text} should return a tensor")
        expect_close(got.detach(), expected, dtype=torch.float32, ops=16, like=X,
                     call=f"model.forward(X) with model = SoftmaxRegressionScratch(…, sigma=0.5) and {text}")


@pytest.mark.check("SoftmaxRegressionScratch: hidden check 2", points=3, hidden=True)
def test_hidden_2():
    raise NotInKit("your instructor's grader runs this check: it is not in the student kit")
