# idiom: the notebook's recipe: detached copy, requires_grad_, backward, read .grad
def gradient(f, x):
    """The gradient of the scalar function f at x, with the shape of x."""
    x_copy = x.detach().clone()
    x_copy.requires_grad_(True)
    y = f(x_copy)
    y.backward()
    return x_copy.grad
