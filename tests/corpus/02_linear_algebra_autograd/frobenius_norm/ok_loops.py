# idiom: two nested loops over rows and columns
import torch


def frobenius_norm(A):
    """sqrt of the sum of the squared entries of A, as a 0-dim tensor."""
    total = torch.zeros((), dtype=A.dtype)
    rows, cols = A.shape
    for i in range(rows):
        for j in range(cols):
            total = total + A[i, j] * A[i, j]
    return torch.sqrt(total)
