# idiom: make sure autograd is on, even if the caller is inside torch.no_grad()
import torch


def gradient(f, x):
    """The gradient of the scalar function f at x, with the shape of x."""
    with torch.enable_grad():
        t = x.detach().clone().requires_grad_()
        value = f(t)
        grads = torch.autograd.grad(value, [t], allow_unused=True)
    if grads[0] is None:  # f does not use x
        return torch.zeros_like(t)
    return grads[0]
