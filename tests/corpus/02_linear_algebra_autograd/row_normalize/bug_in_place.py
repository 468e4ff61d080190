"""mistake: I divided A in place with /= and returned it, which changes the caller's matrix."""


def row_normalize(A):
    A /= A.sum(axis=1, keepdims=True)
    return A
