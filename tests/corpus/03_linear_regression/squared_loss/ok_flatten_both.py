# idiom: flatten both sides to vectors, then the mean
def squared_loss(y_hat, y):
    """Mean squared loss, halved."""
    diff = y_hat.reshape(-1) - y.reshape(-1)
    return (diff * diff).mean() / 2
