# idiom: the sum of squares as a dot product
def squared_loss(y_hat, y):
    """Mean squared loss, halved."""
    r = (y_hat - y.reshape(y_hat.shape)).reshape(-1)
    return r.dot(r) / (2 * r.numel())
