"""mistake: I used argmin instead of argmax for the predicted class.

says: you predict the least probable class
"""


def accuracy(y_hat, y):
    return (y_hat.argmin(dim=1) == y).float().mean().item()
