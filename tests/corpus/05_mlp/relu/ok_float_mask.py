# idiom: the mask cast to X's dtype
def relu(X):
    """Elementwise max(X, 0)."""
    mask = (X > 0).to(X.dtype)
    return X * mask
