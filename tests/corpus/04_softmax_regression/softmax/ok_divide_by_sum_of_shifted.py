# idiom: 1 / sum(exp(X_k - X_j)), never overflows either
import torch


def softmax(X):
    """Row-wise softmax of a 2-D tensor, stable for large logits."""
    shifted = X - X.max(dim=1, keepdim=True).values
    weights = torch.exp(shifted)
    total = weights.sum(dim=1, keepdim=True)
    return weights * (1.0 / total)
