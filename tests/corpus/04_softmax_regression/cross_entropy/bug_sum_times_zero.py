"""mistake: I returned y_hat.sum() * 0 as a placeholder and never finished the function."""


def cross_entropy(y_hat, y):
    return y_hat.sum() * 0
