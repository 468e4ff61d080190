# idiom: compute the new value, then copy_ it into the parameter
import torch


class SGD:
    """Minibatch stochastic gradient descent."""

    def __init__(self, params, lr):
        self.params = tuple(params)
        self.lr = float(lr)

    def step(self):
        with torch.no_grad():
            for param in self.params:
                if param.grad is not None:
                    param.copy_(param - self.lr * param.grad)

    def zero_grad(self):
        for param in self.params:
            if param.grad is not None:
                param.grad.zero_()
