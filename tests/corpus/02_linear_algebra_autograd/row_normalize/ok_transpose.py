# idiom: transpose so that plain broadcasting lines the sums up with the rows
def row_normalize(A):
    """Divide each row of A by its sum."""
    return (A.T / A.sum(axis=1)).T
