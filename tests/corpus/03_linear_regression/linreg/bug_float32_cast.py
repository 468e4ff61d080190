"""mistake: I cast everything to float32 to be safe, so float64 inputs come back as float32 and lose precision.

says: keep the dtype of the inputs
"""


def linreg(X, w, b):
    return X.float() @ w.float() + b.float()
