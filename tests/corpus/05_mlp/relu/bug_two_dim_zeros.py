"""mistake: I built the zeros with two dimensions, so my relu only works on matrices.

says: works on matrices but not on a tensor with 3 dimensions
"""
import torch


def relu(X):
    zeros = torch.zeros(X.shape[0], X.shape[1], dtype=X.dtype)
    return torch.max(X, zeros)
