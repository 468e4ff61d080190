"""mistake: I used torch.min instead of torch.max, so I kept the negative part.

says: keeps the negative entries and zeroes the positive ones
"""
import torch


def relu(X):
    return torch.min(X, torch.zeros_like(X))
