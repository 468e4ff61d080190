"""Grader functions that checks run inside the student's kernel (public: nothing here is an answer).

A check sends one of these with `student.define(train_classifier)`: the text of this whole
module is executed in a private namespace in the kernel, so the functions may call each other,
and a handle on the named function comes back. Hence the rule for this file: it imports only the
standard library, torch and IPython, and nothing of the grader.

Training runs the student's model with the student's loss on the training images and returns
only the predicted classes of the validation images; their labels never leave the grading
process, where accuracy is computed (`grader.check_tools.training`).
"""

import copy
import sys

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


def call_with_copies(function, args):
    """Call function(*args); return copies of the arguments from before and the arguments after."""
    before = copy.deepcopy(args)
    function(*args)
    return before, args


# -- the grader's own versions of functions students write ----------------------------------
# `with_grader_relu(student.MLPScratch, ...)` (or `with_grader_names(["relu"], ...)`) runs the
# student's code with the grader's `relu` (or `softmax`) bound to that global name for the
# duration of the call: a wrong `relu` then costs the relu checks only, not every check of the
# model that calls it.

def relu(X):
    return torch.where(X > 0, X, torch.zeros_like(X))


def softmax(X):
    X_exp = torch.exp(X - X.max(dim=1, keepdim=True).values)
    return X_exp / X_exp.sum(dim=1, keepdim=True)


def cross_entropy(y_hat, y):
    """Cross-entropy of probabilities y_hat (n, q) against labels y (n,), averaged."""
    return -torch.log(y_hat[torch.arange(len(y_hat)), y]).mean()


GRADER_VERSIONS = {"relu": relu, "softmax": softmax, "cross_entropy": cross_entropy}


def notebook_namespace():
    """The notebook's global names: the kernel's user namespace (`__main__` outside a kernel)."""
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
    namespace = notebook_namespace()
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
