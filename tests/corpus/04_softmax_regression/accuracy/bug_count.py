"""mistake: I returned the number of right predictions instead of the fraction.

says: you return the number of right predictions
"""


def accuracy(y_hat, y):
    return (y_hat.argmax(dim=1) == y).sum().item()
