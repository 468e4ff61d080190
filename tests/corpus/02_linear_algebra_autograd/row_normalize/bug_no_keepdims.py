"""mistake: I forgot keepdims, so the sums broadcast along the wrong axis (and a 2 x 3 matrix raises).

says: the row sums lined up with the wrong axis
"""


def row_normalize(A):
    return A / A.sum(axis=1)
