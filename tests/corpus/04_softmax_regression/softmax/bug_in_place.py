"""mistake: I subtracted the maximum and exponentiated X in place to save memory, which changes the caller's tensor.

says: changed its input X; work on a copy instead
"""
import torch


def softmax(X):
    X -= X.max(dim=1, keepdim=True).values
    X.exp_()
    return X / X.sum(dim=1, keepdim=True)
