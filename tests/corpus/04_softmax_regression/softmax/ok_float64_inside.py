# idiom: compute in float64, return in the input's dtype
import torch


def softmax(X):
    """Row-wise softmax of a 2-D tensor, stable for large logits."""
    Z = X.to(torch.float64)
    Z = Z - Z.max(dim=1, keepdim=True).values
    P = Z.exp() / Z.exp().sum(dim=1, keepdim=True)
    return P.to(X.dtype)
