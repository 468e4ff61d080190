# idiom: copy x under torch.no_grad(), then switch tracking on for the copy
import torch


def gradient(f, x):
    """The gradient of the scalar function f at x, with the shape of x."""
    with torch.no_grad():
        point = x.clone()
    point.requires_grad_(True)
    f(point).backward()
    return point.grad.detach()
