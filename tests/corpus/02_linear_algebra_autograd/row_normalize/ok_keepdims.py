# idiom: the notebook's hint, sum with keepdims=True and broadcast
def row_normalize(A):
    """Divide each row of A by its sum."""
    sums = A.sum(axis=1, keepdims=True)
    return A / sums
