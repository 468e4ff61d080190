"""mistake: I flattened the predictions to shape (n,), but the model should return (n, 1).

says: your predictions are flattened to one dimension
"""


def linreg(X, w, b):
    return (X @ w).reshape(-1) + b
