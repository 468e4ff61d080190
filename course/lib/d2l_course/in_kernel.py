"""The course's functions that checks run inside the student's kernel, sent with
`student.define(with_grader_relu)`: the text of this whole module runs in a private namespace
there, after the text of the engine's kernel helpers (`grader.in_sandbox.helpers`, which the
import below names: the kernel cannot import the grader, so the sender puts that module's text
in its place). Hence the rule for this file: besides that import, it imports only the standard
library and torch.

It holds answers (the grader's own `softmax`, `cross_entropy`, `relu`): it lives with the course,
never in the grader's wheel or a student's kit, and reaches a kernel only when a check sends it,
after the notebook has run.
"""

import torch

from grader.in_sandbox.helpers import minibatches, train_classifier, with_names

SENT_WHOLE = True  # student.define sends this module's whole text (grader.checking.sending)


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


def with_grader_names(names, function, *args, **kwargs):
    """Call function(*args, **kwargs) while the notebook's global `names` are the grader's
    versions, so that a check judges one function and not the helpers it calls."""
    return with_names({name: GRADER_VERSIONS[name] for name in names}, function, *args, **kwargs)


def with_grader_relu(function, *args, **kwargs):
    return with_grader_names(["relu"], function, *args, **kwargs)


def with_grader_softmax(function, *args, **kwargs):
    return with_grader_names(["softmax"], function, *args, **kwargs)


# -- the grader's own models, trained with a student's part ---------------------------------

class GraderSoftmaxRegression:
    """The contract's softmax regression written by the grader: what a student's loss trains."""

    def __init__(self, num_inputs, num_outputs, lr, sigma=0.01):
        self.W = torch.normal(0, sigma, size=(num_inputs, num_outputs), requires_grad=True)
        self.b = torch.zeros(num_outputs, requires_grad=True)

    def forward(self, X):
        return softmax(X.reshape(-1, self.W.shape[0]) @ self.W + self.b)

    def parameters(self):
        return [self.W, self.b]


def train_grader_softmax_regression(loss, model_args, train_X, train_y, lr, epochs, batch_size,
                                    seed):
    """Train the grader's softmax regression with `loss` (a student's cross_entropy); W and b."""
    return train_classifier(GraderSoftmaxRegression, model_args, loss, train_X, train_y, lr,
                            epochs, batch_size, seed, keep=["W", "b"])


def train_linear_regression(SGD, X, y, lr, epochs, batch_size, seed):
    """D2L 3.4's training loop with the grader's own model and loss and the given optimizer;
    returns the learned w (as a vector) and b."""
    torch.manual_seed(seed)
    w = torch.normal(0, 0.01, size=(X.shape[1], 1), requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    optimizer = SGD([w, b], lr)
    for batch in minibatches(len(X), batch_size, epochs, seed):
        loss = ((X[batch] @ w + b - y[batch].reshape(-1, 1)) ** 2 / 2).mean()
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    return w.detach().reshape(-1).clone(), b.detach().reshape(-1).clone()
