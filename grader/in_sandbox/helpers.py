"""Training code the checks send into the student's kernel (public: nothing here is an answer).

The harness trains the student's model with the student's loss on the training images and
returns only the predicted classes of the validation images; their labels never leave the
grading process, where accuracy is computed.
"""

TRAIN_CLASSIFIER = '''
import torch

def train_classifier(Model, model_args, loss_fn, train_X, train_y, val_X, lr, epochs, batch_size, seed):
    """Minibatch SGD as in D2L; returns the arg-max predictions for val_X.

    loss_fn None: cross-entropy on logits (torch's own), for models that return logits."""
    torch.manual_seed(seed)
    model = Model(*model_args)
    loss_fn = loss_fn or torch.nn.functional.cross_entropy
    order = torch.Generator().manual_seed(seed)
    n = len(train_X)
    for _ in range(epochs):
        permutation = torch.randperm(n, generator=order)
        for start in range(0, n, batch_size):
            batch = permutation[start:start + batch_size]
            loss = loss_fn(model.forward(train_X[batch]), train_y[batch])
            params = list(model.parameters())
            for p in params:
                p.grad = None
            loss.backward()
            if any(p.grad is None for p in params):
                raise ValueError("a parameter from model.parameters() got no gradient: is it a leaf tensor "
                                 "with requires_grad=True, used by forward?")
            with torch.no_grad():
                for p in params:
                    p -= lr * p.grad
    with torch.no_grad():
        return model.forward(val_X).argmax(dim=1)
'''


def classifier_accuracy(predictions, labels) -> float:  # noqa: ANN001 - tensors
    """Accuracy of predicted classes against labels, computed in the grading process."""
    import torch

    if not isinstance(predictions, torch.Tensor) or predictions.shape != labels.shape:
        return 0.0
    return float((predictions.to(torch.int64) == labels).float().mean())


CALL_WITH_COPIES = '''
import copy

def call_with_copies(function, args):
    """Call function(*args); return copies of the arguments from before and the arguments after."""
    before = copy.deepcopy(args)
    function(*args)
    return before, args
'''


GRADER_NAMES = '''
import sys

import torch


def relu(X):
    return torch.where(X > 0, X, torch.zeros_like(X))


def softmax(X):
    X_exp = torch.exp(X - X.max(dim=1, keepdim=True).values)
    return X_exp / X_exp.sum(dim=1, keepdim=True)


def cross_entropy(y_hat, y):
    """Cross-entropy of probabilities y_hat (n, q) against labels y (n,), averaged."""
    return -torch.log(y_hat[torch.arange(len(y_hat)), y]).mean()


GRADER_VERSIONS = {"relu": relu, "softmax": softmax, "cross_entropy": cross_entropy}


def _notebook_namespace():
    try:
        from IPython import get_ipython

        shell = get_ipython()
        if shell is not None:
            return shell.user_ns
    except Exception:  # noqa: BLE001 - outside a kernel
        pass
    return sys.modules["__main__"].__dict__


def with_grader_names(names, function, *args, **kwargs):
    """Call function(*args, **kwargs) while the notebook's global `names` are the grader's
    versions, so that a check judges one function and not the helpers it calls."""
    namespace = _notebook_namespace()
    missing = object()
    saved = {name: namespace.get(name, missing) for name in names}
    namespace.update({name: GRADER_VERSIONS[name] for name in names})
    try:
        return function(*args, **kwargs)
    finally:
        for name, value in saved.items():
            if value is missing:
                namespace.pop(name, None)
            else:
                namespace[name] = value


def with_grader_relu(function, *args, **kwargs):
    return with_grader_names(["relu"], function, *args, **kwargs)


def with_grader_softmax(function, *args, **kwargs):
    return with_grader_names(["softmax"], function, *args, **kwargs)
'''
# `with_grader_relu(student.MLPScratch, ...)` (or `with_grader_names(["relu"], ...)`) runs the student's code with the
# grader's own `relu` (or `softmax`) bound to that global name for the duration of the call: a
# wrong `relu` then costs the relu checks only, not every check of the model that calls it.
# `student.define(GRADER_NAMES, "cross_entropy")` is the grader's cross-entropy on probabilities.


TRAIN_LINEAR_REGRESSION = '''
import torch

def train_linear_regression(SGD, X, y, lr, epochs, batch_size, seed):
    """D2L 3.4's training loop with the grader's own model and loss and the given optimizer;
    returns the learned w (as a vector) and b."""
    torch.manual_seed(seed)
    w = torch.normal(0, 0.01, size=(X.shape[1], 1), requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    optimizer = SGD([w, b], lr)
    order = torch.Generator().manual_seed(seed)
    n = len(X)
    for _ in range(epochs):
        permutation = torch.randperm(n, generator=order)
        for start in range(0, n, batch_size):
            batch = permutation[start:start + batch_size]
            loss = ((X[batch] @ w + b - y[batch].reshape(-1, 1)) ** 2 / 2).mean()
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
    return w.detach().reshape(-1).clone(), b.detach().reshape(-1).clone()
'''


def synthetic_regression_data(seed: int, n: int = 1000):  # noqa: ANN201 - tensors
    """D2L 3.3's synthetic data: y = X w + b + noise, w = [2, -3.4], b = 4.2, noise 0.01."""
    import torch

    generator = torch.Generator().manual_seed(seed)
    true_w, true_b = torch.tensor([2.0, -3.4]), 4.2
    X = torch.randn(n, 2, generator=generator)
    y = X @ true_w + true_b + 0.01 * torch.randn(n, generator=generator)
    return X, y, true_w, true_b


def regression_error(w, b, true_w, true_b) -> float:  # noqa: ANN001 - tensors
    """The largest absolute error over the entries of w and b (inf for an answer of the wrong form)."""
    import math

    import torch

    if not (isinstance(w, torch.Tensor) and isinstance(b, torch.Tensor)) or w.numel() != true_w.numel() \
            or b.numel() != 1:
        return math.inf
    error = max(float((w.detach().reshape(-1).double() - true_w.double()).abs().max()),
                abs(float(b.detach().reshape(-1)[0]) - true_b))
    return error if math.isfinite(error) else math.inf
