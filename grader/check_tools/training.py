"""Grading-side halves of the training checks: data made here, answers judged here.

The kernel side (`grader.in_sandbox.helpers.train_classifier`, `train_linear_regression`) trains
the student's code and sends back predictions or learned weights; these functions make the
synthetic data and score what came back, in the grading process, so validation labels and true
weights never enter the kernel.
"""

from __future__ import annotations

import math

import torch


def classifier_accuracy(predictions, labels: torch.Tensor) -> float:  # noqa: ANN001 - any answer
    """Accuracy of predicted classes against labels (0 for an answer of the wrong form)."""
    if not isinstance(predictions, torch.Tensor) or predictions.shape != labels.shape:
        return 0.0
    return float((predictions.to(torch.int64) == labels).float().mean())


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
