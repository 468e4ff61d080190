# idiom: a Python attribute for the hyperparameters, torch.no_grad() as a context per parameter
import torch


class SGD:
    """Minibatch stochastic gradient descent."""

    def __init__(self, params, lr):
        self.hparams = {"lr": lr}
        self.params = list(params)

    def step(self):
        lr = self.hparams["lr"]
        for param in self.params:
            with torch.no_grad():
                param.add_(-lr * param.grad)

    def zero_grad(self):
        for param in self.params:
            if param.grad is not None:
                param.grad = torch.zeros_like(param.grad)
