# idiom: clone().detach() and the requires_grad attribute
def gradient(f, x):
    """The gradient of the scalar function f at x, with the shape of x."""
    z = x.clone().detach()
    z.requires_grad = True
    f(z).backward()
    return z.grad.clone()
