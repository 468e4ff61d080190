# idiom: a loop over the features, adding one column of X times its weight at a time
import torch


def linreg(X, w, b):
    """The linear regression model."""
    out = torch.zeros(X.shape[0], 1, dtype=X.dtype) + b
    for j in range(X.shape[1]):
        out = out + X[:, j:j + 1] * w[j]
    return out
