"""mistake: I squared A in place with pow_ to save memory, which changes the caller's matrix.

says: changed its input A
"""
import torch


def frobenius_norm(A):
    A.pow_(2)
    return torch.sqrt(A.sum())
