# idiom: the sum of the negative log-likelihoods divided by the number of labels
import torch


def cross_entropy(y_hat, y):
    """Mean over rows of -log y_hat[i, y[i]]; a 0-dim tensor."""
    nll = -torch.log(y_hat[range(y_hat.shape[0]), y.long()])
    return nll.sum() / y.numel()
