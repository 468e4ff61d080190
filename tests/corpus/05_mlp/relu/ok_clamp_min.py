# idiom: the tensor method clamp_min
def relu(X):
    """Elementwise max(X, 0)."""
    return X.clamp_min(0.0)
