"""mistake: I returned torch.exp(X) and forgot to divide by the row sums.

says: you return exp(X) itself
"""
import torch


def softmax(X):
    return torch.exp(X)
