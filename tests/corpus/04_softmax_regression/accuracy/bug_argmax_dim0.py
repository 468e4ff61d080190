"""mistake: I took the arg-max over dim 0 (down the columns) instead of along each row.

says: you take the arg-max down each column (dim 0)
"""


def accuracy(y_hat, y):
    return (y_hat.argmax(dim=0) == y).float().mean().item()
