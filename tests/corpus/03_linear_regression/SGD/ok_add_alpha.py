# idiom: add_ with alpha=-lr, as torch.optim.SGD does it
import torch


class SGD:
    """Minibatch stochastic gradient descent."""

    def __init__(self, params, lr):
        self.params = [p for p in params]
        self.lr = lr

    @torch.no_grad()
    def step(self):
        for p in self.params:
            if p.grad is None:
                continue
            p.add_(p.grad, alpha=-self.lr)

    def zero_grad(self):
        for p in self.params:
            if p.grad is not None:
                p.grad.detach_()
                p.grad.zero_()
