"""mistake: I reshaped y with the in-place unsqueeze_, which changes the caller's y.

says: changed its input y
"""


def squared_loss(y_hat, y):
    if y.dim() == 1:
        y.unsqueeze_(1)
    return ((y_hat - y) ** 2 / 2).mean()
