"""mistake: I wrote a leaky ReLU (0.01 x for negative x) instead of ReLU.

says: scales the negative entries by a small slope
"""
import torch


def relu(X):
    return torch.where(X > 0, X, 0.01 * X)
