# idiom: nn.init.normal_ on an empty tensor, einsum in forward
import torch
from torch import nn


class SoftmaxRegressionScratch:
    """Softmax regression with explicit parameters W and b."""

    def __init__(self, num_inputs, num_outputs, lr, sigma=0.01):
        self.lr = lr
        self.W = nn.init.normal_(torch.empty(num_inputs, num_outputs), mean=0.0, std=sigma).requires_grad_()
        self.b = nn.init.zeros_(torch.empty(num_outputs)).requires_grad_()

    def forward(self, X):
        X = X.reshape(X.shape[0], -1)
        return softmax(torch.einsum("nd,dq->nq", X, self.W) + self.b)

    def parameters(self):
        return [self.W, self.b]
