# idiom: accumulate in float64, give the answer back in A's dtype
import torch


def frobenius_norm(A):
    """sqrt of the sum of the squared entries of A, as a 0-dim tensor."""
    total = (A.to(torch.float64) ** 2).sum()
    return torch.sqrt(total).to(A.dtype)
