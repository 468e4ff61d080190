# idiom: D2L 3.4's SGD, with the update wrapped in torch.no_grad()
import torch


class SGD:
    """Minibatch stochastic gradient descent."""

    def __init__(self, params, lr):
        self.params = params
        self.lr = lr

    def step(self):
        with torch.no_grad():
            for param in self.params:
                param -= self.lr * param.grad

    def zero_grad(self):
        for param in self.params:
            if param.grad is not None:
                param.grad.zero_()
