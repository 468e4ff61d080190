"""mistake: I divided by the sum of the whole matrix instead of each row's sum.

says: the sum of the whole matrix
"""


def row_normalize(A):
    return A / A.sum()
