"""mistake: I returned the loss of every example instead of their mean.

says: you return one loss per example
"""
import torch


def cross_entropy(y_hat, y):
    return -torch.log(y_hat[range(len(y_hat)), y])
