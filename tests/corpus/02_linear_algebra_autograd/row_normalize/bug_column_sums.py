"""mistake: I summed over axis 0, so I normalised the columns instead of the rows.

says: your columns sum to one, not your rows
"""


def row_normalize(A):
    return A / A.sum(axis=0, keepdims=True)
