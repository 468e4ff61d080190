# idiom: compare, cast to float, mean, item
def accuracy(y_hat, y):
    """Fraction of rows of y_hat whose arg-max equals the label in y."""
    return (y_hat.argmax(dim=1) == y).float().mean().item()
