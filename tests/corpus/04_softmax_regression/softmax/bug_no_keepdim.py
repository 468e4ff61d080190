"""mistake: I forgot keepdim=True, so the row sums broadcast along the wrong axis.

says: the row sums lost their dim, so they broadcast along the wrong axis
"""
import torch


def softmax(X):
    X_exp = torch.exp(X - X.max(dim=1, keepdim=True).values)
    return X_exp / X_exp.sum(dim=1)
