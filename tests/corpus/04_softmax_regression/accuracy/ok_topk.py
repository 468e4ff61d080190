# idiom: topk(1) for the most probable class
def accuracy(y_hat, y):
    """Fraction of rows of y_hat whose arg-max equals the label in y."""
    top = y_hat.topk(1, dim=1).indices.squeeze(1)
    return (top == y).double().mean().item()
