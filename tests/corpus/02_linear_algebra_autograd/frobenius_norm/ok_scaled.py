# idiom: scale by the largest entry first so the squares cannot overflow
import torch


def frobenius_norm(A):
    """sqrt of the sum of the squared entries of A, as a 0-dim tensor."""
    scale = A.abs().max()
    if scale == 0:
        return torch.zeros((), dtype=A.dtype)
    return scale * torch.sqrt(((A / scale) ** 2).sum())
