"""mistake: I returned the error rate, the fraction of wrong rows, instead of the accuracy.

says: you return the fraction of wrong predictions
"""


def accuracy(y_hat, y):
    return (y_hat.argmax(dim=1) != y).float().mean().item()
