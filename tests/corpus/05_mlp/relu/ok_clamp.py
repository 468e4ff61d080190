# idiom: clamp from below at 0
import torch


def relu(X):
    """Elementwise max(X, 0)."""
    return torch.clamp(X, min=0)
