"""mistake: I set x.requires_grad = True to use autograd.grad and never set it back, so the caller's x now requires grad.

says: left x with requires_grad=True
"""
import torch


def gradient(f, x):
    x.requires_grad = True
    return torch.autograd.grad(f(x), x)[0]
