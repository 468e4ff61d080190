# idiom: gather the probability of the true class
import torch


def cross_entropy(y_hat, y):
    """Mean over rows of -log y_hat[i, y[i]]; a 0-dim tensor."""
    picked = y_hat.gather(1, y.unsqueeze(1)).squeeze(1)
    return -torch.log(picked).mean()
