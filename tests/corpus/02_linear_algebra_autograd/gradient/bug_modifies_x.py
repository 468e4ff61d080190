"""mistake: I turned on requires_grad on x itself and called backward, so the caller's x gets a .grad.

says: attached a .grad to x
"""


def gradient(f, x):
    x.requires_grad_(True)
    f(x).backward()
    return x.grad
