# idiom: ||A||_F^2 = trace(A^T A)
import torch


def frobenius_norm(A):
    """sqrt of the sum of the squared entries of A, as a 0-dim tensor."""
    return torch.sqrt(torch.trace(A.T @ A))
