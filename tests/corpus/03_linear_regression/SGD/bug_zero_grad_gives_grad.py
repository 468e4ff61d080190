"""mistake: my zero_grad gives every parameter a zero gradient, even one that had none.

says: gave p a gradient
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
            param.grad = torch.zeros_like(param)
