"""mistake: I used the absolute difference instead of the squared difference.

says: it looks like you took the absolute difference
"""


def squared_loss(y_hat, y):
    return ((y_hat - y.reshape(y_hat.shape)).abs() / 2).mean()
