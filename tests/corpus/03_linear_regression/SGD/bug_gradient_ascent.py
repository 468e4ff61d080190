"""mistake: I added lr * grad instead of subtracting it, so the loss goes up.

says: moved along its gradient, which makes the loss grow
"""
import torch


class SGD:
    def __init__(self, params, lr):
        self.params = list(params)
        self.lr = lr

    def step(self):
        with torch.no_grad():
            for param in self.params:
                param += self.lr * param.grad

    def zero_grad(self):
        for param in self.params:
            if param.grad is not None:
                param.grad.zero_()
