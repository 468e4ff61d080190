"""mistake: I cloned x without detaching it, so when x already requires grad the gradient flows back into it.

says: attached a .grad to x
"""


def gradient(f, x):
    x_copy = x.clone().requires_grad_(True)
    x_copy.retain_grad()
    f(x_copy).backward()
    return x_copy.grad
