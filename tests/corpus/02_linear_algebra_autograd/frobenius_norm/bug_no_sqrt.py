"""mistake: I forgot the square root and returned the sum of the squares.

says: did you forget the square root?
"""


def frobenius_norm(A):
    return (A ** 2).sum()
