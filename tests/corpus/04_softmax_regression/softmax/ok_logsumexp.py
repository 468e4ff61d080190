# idiom: the log-sum-exp trick, exp(X - logsumexp(X))
import torch


def softmax(X):
    """Row-wise softmax of a 2-D tensor, stable for large logits."""
    return torch.exp(X - torch.logsumexp(X, dim=1, keepdim=True))
