# idiom: multiply by the boolean mask of positive entries
def relu(X):
    """Elementwise max(X, 0)."""
    return X * (X > 0)
