"""mistake: I divided A in place with /= and returned it, which changes the caller's matrix.

says: changed its input A
"""


def row_normalize(A):
    A /= A.sum(axis=1, keepdims=True)
    return A
