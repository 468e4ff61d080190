# idiom: the matrix read as one long vector, dotted with itself
import torch


def frobenius_norm(A):
    """sqrt of the sum of the squared entries of A, as a 0-dim tensor."""
    v = A.reshape(-1)
    return torch.sqrt(torch.dot(v, v))
