"""mistake: I evaluated f inside torch.no_grad() so that x would not change, but then there is nothing to backpropagate.

says: f(x) has no autograd history
"""
import torch


def gradient(f, x):
    x_copy = x.detach().clone().requires_grad_(True)
    with torch.no_grad():
        y = f(x_copy)
    y.backward()
    return x_copy.grad
