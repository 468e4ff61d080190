"""mistake: I took the softmax over dim 0, so the columns sum to one instead of the rows.

says: your columns sum to one, not your rows
"""
import torch


def softmax(X):
    X_exp = torch.exp(X - X.max(dim=0, keepdim=True).values)
    return X_exp / X_exp.sum(dim=0, keepdim=True)
