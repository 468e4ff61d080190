# idiom: a loop over the rows, stacked back together
import torch


def row_normalize(A):
    """Divide each row of A by its sum."""
    rows = []
    for row in A:
        rows.append(row / row.sum())
    return torch.stack(rows)
