# idiom: a loop over the examples
def squared_loss(y_hat, y):
    """Mean squared loss, halved."""
    y = y.reshape(y_hat.shape)
    total = 0
    for i in range(len(y_hat)):
        total = total + (y_hat[i, 0] - y[i, 0]) ** 2 / 2
    return total / len(y_hat)
