# idiom: a loop over indices, -= on the list item (still the same tensor, updated in place)
import torch


class SGD:
    """Minibatch stochastic gradient descent."""

    def __init__(self, params, lr):
        self.params = list(params)
        self.lr = lr

    def step(self):
        with torch.no_grad():
            for i in range(len(self.params)):
                self.params[i] -= self.lr * self.params[i].grad

    def zero_grad(self):
        for i in range(len(self.params)):
            if self.params[i].grad is not None:
                self.params[i].grad.zero_()
