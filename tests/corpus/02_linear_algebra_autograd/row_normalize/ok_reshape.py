# idiom: reshape the row sums into a column
def row_normalize(A):
    """Divide each row of A by its sum."""
    row_sums = A.sum(axis=1).reshape(-1, 1)
    return A / row_sums
