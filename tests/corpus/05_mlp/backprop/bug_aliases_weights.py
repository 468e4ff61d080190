"""mistake: I started dW1 and dW2 from W1 and W2 and updated them in place, which changes the caller's weights.

says: changed its input W1
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
    dZ = (dO @ W2) * (Z > 0)
    dW2 = W2
    dW2 *= lambd
    dW2 += dO.T @ H
    dW1 = W1
    dW1 *= lambd
    dW1 += dZ.T @ X
    return dW1, dW2
