# idiom: the sum divided by 2n
def squared_loss(y_hat, y):
    """Mean squared loss, halved."""
    n = y_hat.shape[0]
    return ((y_hat - y.reshape(-1, 1)) ** 2).sum() / (2 * n)
