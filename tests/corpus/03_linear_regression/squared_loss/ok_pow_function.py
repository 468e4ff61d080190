# idiom: torch.pow and multiplication by one half
import torch


def squared_loss(y_hat, y):
    """Mean squared loss, halved."""
    return torch.pow(y_hat - y.reshape(y_hat.shape), 2).mean() * 0.5
