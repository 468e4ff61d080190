# idiom: copy, then set the negative entries to zero
def relu(X):
    """Elementwise max(X, 0)."""
    out = X.clone()
    out[out < 0] = 0
    return out
