# idiom: a loop over the examples
import torch


def cross_entropy(y_hat, y):
    """Mean over rows of -log y_hat[i, y[i]]; a 0-dim tensor."""
    total = 0.0
    for i in range(len(y)):
        total = total - torch.log(y_hat[i, y[i]])
    return total / len(y)
