"""mistake: my zero_grad calls param.grad.zero_() on every parameter, which crashes on one that has no gradient yet.

says: a parameter that has no gradient yet has None as its .grad
"""
import torch


class SGD:
    def __init__(self, params, lr):
        self.params = list(params)
        self.lr = lr

    def step(self):
        with torch.no_grad():
            for param in self.params:
                param -= self.lr * param.grad

    def zero_grad(self):
        for param in self.params:
            param.grad.zero_()
