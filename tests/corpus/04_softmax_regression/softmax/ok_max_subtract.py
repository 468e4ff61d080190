# idiom: the notebook's recipe, the row maximum taken with max(...)[0]
import torch


def softmax(X):
    """Row-wise softmax of a 2-D tensor, stable for large logits."""
    X = X - X.max(dim=1, keepdim=True)[0]
    X_exp = torch.exp(X)
    partition = X_exp.sum(1, keepdim=True)
    return X_exp / partition
