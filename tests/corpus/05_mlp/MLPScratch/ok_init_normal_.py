# idiom: nn.init.normal_ and nn.init.zeros_ on empty tensors
import torch
from torch import nn


class MLPScratch:
    """An MLP with one hidden layer and explicit parameters."""

    def __init__(self, num_inputs, num_outputs, num_hiddens, lr, sigma=0.01):
        self.lr = lr
        self.W1 = nn.init.normal_(torch.empty(num_inputs, num_hiddens), std=sigma).requires_grad_()
        self.b1 = nn.init.zeros_(torch.empty(num_hiddens)).requires_grad_()
        self.W2 = nn.init.normal_(torch.empty(num_hiddens, num_outputs), std=sigma).requires_grad_()
        self.b2 = nn.init.zeros_(torch.empty(num_outputs)).requires_grad_()

    def forward(self, X):
        Z = X.reshape(-1, self.W1.shape[0]) @ self.W1 + self.b1
        return relu(Z) @ self.W2 + self.b2

    def parameters(self):
        return [self.W1, self.b1, self.W2, self.b2]
