"""mistake: I used the in-place squeeze_ on w to get a vector, which changes the caller's w.

says: changed its input w
"""
import torch


def linreg(X, w, b):
    w.squeeze_(1)
    return torch.mv(X, w).unsqueeze(1) + b
