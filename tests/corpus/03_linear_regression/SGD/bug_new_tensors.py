"""mistake: my step replaces the parameters in my list with new tensors, so the model's own w and b never change.

says: only makes new tensors that the model never sees
"""
import torch


class SGD:
    def __init__(self, params, lr):
        self.params = list(params)
        self.lr = lr

    def step(self):
        with torch.no_grad():
            self.params = [(p - self.lr * p.grad).requires_grad_() for p in self.params]

    def zero_grad(self):
        for p in self.params:
            if p.grad is not None:
                p.grad.zero_()
