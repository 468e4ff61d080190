# idiom: einsum, naming the axes
import torch


def linreg(X, w, b):
    """The linear regression model."""
    return torch.einsum("nd,dk->nk", X, w) + b
