# idiom: zero_grad sets the gradients to None (allowed), step skips missing gradients
import torch


class SGD:
    """Minibatch stochastic gradient descent."""

    def __init__(self, params, lr):
        self.params = list(params)
        self.lr = lr

    def step(self):
        with torch.no_grad():
            for param in self.params:
                if param.grad is not None:
                    param -= self.lr * param.grad

    def zero_grad(self):
        for param in self.params:
            param.grad = None
