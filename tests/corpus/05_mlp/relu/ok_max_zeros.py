# idiom: D2L 5.1, torch.max against a tensor of zeros
import torch


def relu(X):
    """Elementwise max(X, 0)."""
    a = torch.zeros_like(X)
    return torch.max(X, a)
