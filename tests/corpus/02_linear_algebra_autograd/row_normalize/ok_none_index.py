# idiom: NumPy-style [:, None] to add an axis
import torch


def row_normalize(A):
    """Divide each row of A by its sum."""
    return A / torch.sum(A, 1)[:, None]
