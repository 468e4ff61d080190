# idiom: method chaining with torch.square
import torch


def frobenius_norm(A):
    """sqrt of the sum of the squared entries of A, as a 0-dim tensor."""
    return torch.square(A).sum().sqrt()
