"""mistake: I wrote param = param - lr * param.grad, which only rebinds the loop variable.

says: only makes new tensors that the model never sees
"""
import torch


class SGD:
    def __init__(self, params, lr):
        self.params = list(params)
        self.lr = lr

    def step(self):
        with torch.no_grad():
            for param in self.params:
                param = param - self.lr * param.grad

    def zero_grad(self):
        for param in self.params:
            if param.grad is not None:
                param.grad.zero_()
