"""mistake: I thought the matrix norm is the largest singular value, so I returned that.

says: the largest singular value
"""
import torch


def frobenius_norm(A):
    return torch.linalg.svdvals(A)[0]
