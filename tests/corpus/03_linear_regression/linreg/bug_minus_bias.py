"""mistake: I subtracted the bias instead of adding it."""


def linreg(X, w, b):
    return X @ w - b
