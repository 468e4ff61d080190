"""mistake: I summed the losses over the batch instead of taking the mean.

says: you sum the losses of the examples
"""
import torch


def cross_entropy(y_hat, y):
    return -torch.log(y_hat[range(len(y_hat)), y]).sum()
