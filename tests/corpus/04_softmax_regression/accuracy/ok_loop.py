# idiom: count the right answers in a loop
import torch


def accuracy(y_hat, y):
    """Fraction of rows of y_hat whose arg-max equals the label in y."""
    correct = 0
    for i in range(len(y)):
        if int(torch.argmax(y_hat[i])) == int(y[i]):
            correct += 1
    return correct / len(y)
