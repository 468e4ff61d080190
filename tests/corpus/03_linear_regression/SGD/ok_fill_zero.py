# idiom: the update computed first, applied with sub_ under no_grad; gradients cleared with fill_(0)
import torch


class SGD:
    """Minibatch stochastic gradient descent."""

    def __init__(self, params, lr):
        self.params = list(params)
        self.lr = lr

    def step(self):
        for param in self.params:
            if param.grad is None:
                continue
            update = self.lr * param.grad
            with torch.no_grad():
                param.sub_(update)

    def zero_grad(self):
        for param in self.params:
            if param.grad is not None:
                param.grad.fill_(0)
