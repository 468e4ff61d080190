"""mistake: I averaged -log over every entry of y_hat and ignored the labels.

says: you average -log over every entry of y_hat
"""
import torch


def cross_entropy(y_hat, y):
    return -torch.log(y_hat).mean()
