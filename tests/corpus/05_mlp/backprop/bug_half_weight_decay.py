"""mistake: I kept the 1/2 of the penalty in its derivative, so my weight-decay term is lambd / 2 * W.

says: the weight-decay terms are halved
"""
import torch


def backprop(X, y, W1, W2, lambd):
    n = X.shape[0]
    X = X.reshape(n, -1)
    Z = X @ W1.T
    H = relu(Z)
    O = H @ W2.T
    E = torch.exp(O - O.max(dim=1, keepdim=True).values)
    P = E / E.sum(dim=1, keepdim=True)
    P[torch.arange(n), y] -= 1
    dO = P / n
    dW2 = dO.T @ H + lambd / 2 * W2
    dZ = (dO @ W2) * (Z > 0)
    dW1 = dZ.T @ X + lambd / 2 * W1
    return dW1, dW2
