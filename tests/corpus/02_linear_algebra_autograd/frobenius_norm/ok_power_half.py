# idiom: ** 0.5 instead of sqrt
def frobenius_norm(A):
    """sqrt of the sum of the squared entries of A, as a 0-dim tensor."""
    return (A ** 2).sum() ** 0.5
