"""mistake: I forgot to add the bias b.

says: the bias b is left out
"""
import torch


def linreg(X, w, b):
    return torch.matmul(X, w)
