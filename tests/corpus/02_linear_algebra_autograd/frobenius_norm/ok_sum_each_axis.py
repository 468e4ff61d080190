# idiom: sum the rows, then the row sums (D2L 2.3's reductions)
import torch


def frobenius_norm(A):
    """sqrt of the sum of the squared entries of A, as a 0-dim tensor."""
    squares = A * A
    return torch.sqrt(squares.sum(axis=1).sum(axis=0))
