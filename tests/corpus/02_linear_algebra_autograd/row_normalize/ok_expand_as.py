# idiom: expand the column of sums to A's shape explicitly
def row_normalize(A):
    """Divide each row of A by its sum."""
    sums = A.sum(1, keepdim=True).expand_as(A)
    return A / sums
