# idiom: the @ operator and broadcasting for b
def linreg(X, w, b):
    """The linear regression model."""
    return X @ w + b
