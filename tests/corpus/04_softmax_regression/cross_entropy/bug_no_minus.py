"""mistake: I forgot the minus sign, so my loss is negative.

says: did you forget the minus sign
"""
import torch


def cross_entropy(y_hat, y):
    return torch.log(y_hat[range(len(y_hat)), y]).mean()
