# idiom: m, _ = torch.max(...), and dim=-1
import torch


def softmax(X):
    """Row-wise softmax of a 2-D tensor, stable for large logits."""
    m, _ = torch.max(X, dim=-1, keepdim=True)
    e = torch.exp(X - m)
    return e / e.sum(dim=-1, keepdim=True)
