# idiom: multiply on the left by the diagonal matrix of inverse row sums
import torch


def row_normalize(A):
    """Divide each row of A by its sum."""
    return torch.diag(1 / A.sum(dim=1)) @ A
