"""mistake: I did not reshape y, so (n, 1) minus (n,) broadcast to an n x n matrix.

says: broadcasts to an (n, n) matrix
"""


def squared_loss(y_hat, y):
    return ((y_hat - y) ** 2 / 2).mean()
