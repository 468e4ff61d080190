# idiom: amax for the row maximum, torch.sum for the partition function
import torch


def softmax(X):
    """Row-wise softmax of a 2-D tensor, stable for large logits."""
    shifted = X - torch.amax(X, dim=1, keepdim=True)
    numerator = torch.exp(shifted)
    return numerator / torch.sum(numerator, dim=1, keepdim=True)
