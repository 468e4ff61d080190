"""mistake: I subtracted the bias instead of adding it.

says: the bias is subtracted instead of added
"""


def linreg(X, w, b):
    return X @ w - b
