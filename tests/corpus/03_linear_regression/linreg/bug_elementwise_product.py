"""mistake: I wrote X * w (elementwise) instead of the matrix product X @ w."""


def linreg(X, w, b):
    return X * w + b
