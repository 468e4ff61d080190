"""The D2L course's models, grading side: data made here, trained parameters judged here.

The kernel side (the engine's `train_classifier`, the course's `in_kernel.train_linear_regression`)
trains the student's code and sends back the learned parameters; these functions make the
synthetic data and judge what came back, in the grading process, with the course's own forward
of the contract's models: validation images, their labels and true weights never enter the
kernel, and nothing computed there (a prediction, an arg-max) counts for the score.
"""

from __future__ import annotations

import math

import torch


SOFTMAX_REGRESSION = ("W", "b")
MLP = ("W1", "b1", "W2", "b2")


def _logits(names: tuple[str, ...], params: dict, X: torch.Tensor) -> torch.Tensor:
    """The contract's models, in float64: X W + b (the softmax keeps the arg-max), or
    relu(X W1 + b1) W2 + b2; X flattened per example."""
    X = X.reshape(len(X), -1).double()
    p = {name: params[name].detach().double() for name in names}
    if names == SOFTMAX_REGRESSION:
        return X @ p["W"] + p["b"]
    return torch.clamp(X @ p["W1"] + p["b1"], min=0) @ p["W2"] + p["b2"]


def classifier_accuracy(params: object, names: tuple[str, ...], X: torch.Tensor, labels: torch.Tensor,
                        classes: int = 10) -> float:
    """Validation accuracy of trained parameters under the course's own forward of the model
    named by `names` (SOFTMAX_REGRESSION or MLP); 0 for parameters of the wrong form."""
    if not isinstance(params, dict) or not all(isinstance(params.get(n), torch.Tensor) for n in names):
        return 0.0
    if not _shapes_fit(names, params, X[0].numel() if len(X) else 0, classes):
        return 0.0  # before anything is computed: a forged shape must not cost gigabytes here
    try:
        logits = _logits(names, params, X)
    except RuntimeError:  # shapes that do not multiply
        return 0.0
    if logits.shape != (len(X), classes) or not bool(torch.isfinite(logits).all()):
        return 0.0
    return float((logits.argmax(dim=1) == labels).double().mean())


MAX_HIDDEN = 4096  # hidden units the MLP's parameters may have (the contract's: 256)


def _shapes_fit(names: tuple[str, ...], params: dict, features: int, classes: int) -> bool:
    """Whether the parameters have the contract's shapes: W (features, classes) and b of
    `classes` entries; or W1 (features, h), b1 of h, W2 (h, classes), b2 of `classes`, with h
    at most MAX_HIDDEN."""
    weights = [n for n in names if n.startswith("W")]
    widths = [features] + [params[w].shape[-1] if params[w].dim() == 2 else -1 for w in weights]
    if widths[-1] != classes or any(not 0 < h <= max(MAX_HIDDEN, features) for h in widths):
        return False
    for i, w in enumerate(weights):
        bias = params["b" + w[1:]]
        if tuple(params[w].shape) != (widths[i], widths[i + 1]) or bias.numel() != widths[i + 1] \
                or bias.dim() > 2 or (bias.dim() and bias.shape[-1] != widths[i + 1]):
            return False
    return True


def synthetic_regression_data(seed: int, n: int = 1000):  # noqa: ANN201 - four values
    """D2L 3.3's synthetic data: y = X w + b + noise, w = [2, -3.4], b = 4.2, noise 0.01.

    Returns X, y, true_w, true_b."""
    generator = torch.Generator().manual_seed(seed)
    true_w, true_b = torch.tensor([2.0, -3.4]), 4.2
    X = torch.randn(n, 2, generator=generator)
    y = X @ true_w + true_b + 0.01 * torch.randn(n, generator=generator)
    return X, y, true_w, true_b


def regression_error(w, b, true_w: torch.Tensor, true_b: float) -> float:  # noqa: ANN001 - any answer
    """The largest absolute error over the entries of w and b (inf for an answer of the wrong form)."""
    if not (isinstance(w, torch.Tensor) and isinstance(b, torch.Tensor)) or w.numel() != true_w.numel() \
            or b.numel() != 1:
        return math.inf
    error = max(float((w.detach().reshape(-1).double() - true_w.double()).abs().max()),
                abs(float(b.detach().reshape(-1)[0]) - true_b))
    return error if math.isfinite(error) else math.inf
