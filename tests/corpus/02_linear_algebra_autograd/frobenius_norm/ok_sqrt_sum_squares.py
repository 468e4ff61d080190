# idiom: torch.sqrt of torch.sum of A ** 2
import torch


def frobenius_norm(A):
    """sqrt of the sum of the squared entries of A, as a 0-dim tensor."""
    return torch.sqrt(torch.sum(A ** 2))
