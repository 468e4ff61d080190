"""mistake: I divided by the sum of absolute values to avoid negative sums, which changes rows with mixed signs.

says: divided by the sum of the absolute values
"""


def row_normalize(A):
    return A / A.abs().sum(axis=1, keepdims=True)
