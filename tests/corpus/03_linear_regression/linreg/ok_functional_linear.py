# idiom: torch.nn.functional.linear, whose weight is (out_features, in_features)
import torch.nn.functional as F


def linreg(X, w, b):
    """The linear regression model."""
    return F.linear(X, w.T, b)
