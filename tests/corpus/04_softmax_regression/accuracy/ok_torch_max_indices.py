# idiom: torch.max returns (values, indices)
import torch


def accuracy(y_hat, y):
    """Fraction of rows of y_hat whose arg-max equals the label in y."""
    _, predicted = torch.max(y_hat, 1)
    return (predicted == y).sum().item() / y.numel()
