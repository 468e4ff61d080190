"""mistake: I summed the losses over the batch instead of taking the mean."""
import torch


def cross_entropy(y_hat, y):
    return -torch.log(y_hat[range(len(y_hat)), y]).sum()
