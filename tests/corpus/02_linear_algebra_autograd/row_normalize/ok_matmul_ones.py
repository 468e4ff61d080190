# idiom: the row sums as a matrix-vector product with ones (D2L 2.3)
import torch


def row_normalize(A):
    """Divide each row of A by its sum."""
    ones = torch.ones(A.shape[1], 1, dtype=A.dtype)
    return A / (A @ ones)
