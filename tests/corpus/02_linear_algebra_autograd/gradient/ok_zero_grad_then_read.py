# idiom: D2L 2.5's habit of clearing .grad before backward, on a private copy
import torch


def gradient(f, x):
    """The gradient of the scalar function f at x, with the shape of x."""
    x = torch.clone(x).detach().requires_grad_(True)
    if x.grad is not None:
        x.grad.zero_()
    y = f(x)
    y.backward()
    return x.grad if x.grad is not None else torch.zeros_like(x)
