# idiom: torch.eq, a sum, and len
import torch


def accuracy(y_hat, y):
    """Fraction of rows of y_hat whose arg-max equals the label in y."""
    hits = torch.eq(torch.argmax(y_hat, dim=-1), y).sum()
    return float(hits) / len(y)
