# idiom: one prediction per row, stacked
import torch


def linreg(X, w, b):
    """The linear regression model."""
    predictions = [torch.matmul(row, w) + b for row in X]
    return torch.stack(predictions)
