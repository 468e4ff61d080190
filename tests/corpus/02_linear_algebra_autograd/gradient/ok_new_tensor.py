# idiom: a brand-new tensor built from x's values, with requires_grad=True
import torch


def gradient(f, x):
    """The gradient of the scalar function f at x, with the shape of x."""
    leaf = torch.tensor(x.detach().numpy(), dtype=x.dtype, requires_grad=True)
    out = f(leaf)
    out.backward()
    return leaf.grad
