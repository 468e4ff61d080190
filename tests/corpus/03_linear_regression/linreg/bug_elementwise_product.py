"""mistake: I wrote X * w (elementwise) instead of the matrix product X @ w.

says: multiplies entry by entry
"""


def linreg(X, w, b):
    return X * w + b
