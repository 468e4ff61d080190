"""mistake: I set the negative entries of X to zero in place, which changes the caller's tensor.

says: changed its input X
"""


def relu(X):
    X[X < 0] = 0
    return X
