"""mistake: I returned y_hat.sum() * 0 as a placeholder and never finished the function.

says: your loss is 0 whatever y_hat and y are
"""


def cross_entropy(y_hat, y):
    return y_hat.sum() * 0
