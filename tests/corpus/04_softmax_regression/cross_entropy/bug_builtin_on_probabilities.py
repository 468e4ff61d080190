"""mistake: I used F.cross_entropy, which is not allowed and expects logits, not probabilities.

says: the exercise asks you to build the loss yourself
"""
import torch.nn.functional as F


def cross_entropy(y_hat, y):
    return F.cross_entropy(y_hat, y)
