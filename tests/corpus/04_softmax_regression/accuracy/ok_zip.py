# idiom: zip the predictions with the labels as Python lists
def accuracy(y_hat, y):
    """Fraction of rows of y_hat whose arg-max equals the label in y."""
    predictions = y_hat.argmax(dim=1).tolist()
    labels = y.tolist()
    right = sum(1 for p, t in zip(predictions, labels) if p == t)
    return right / len(labels)
