# idiom: an nn.Module that still overrides parameters() to return the list
import torch
from torch import nn


class MLPScratch(nn.Module):
    """An MLP with one hidden layer and explicit parameters."""

    def __init__(self, num_inputs, num_outputs, num_hiddens, lr, sigma=0.01):
        super().__init__()
        self.lr = lr
        self.W1 = nn.Parameter(sigma * torch.randn(num_inputs, num_hiddens))
        self.b1 = nn.Parameter(torch.zeros(num_hiddens))
        self.W2 = nn.Parameter(sigma * torch.randn(num_hiddens, num_outputs))
        self.b2 = nn.Parameter(torch.zeros(num_outputs))

    def forward(self, X):
        X = X.view(X.size(0), -1)
        return relu(X @ self.W1 + self.b1) @ self.W2 + self.b2

    def parameters(self):
        return [self.W1, self.b1, self.W2, self.b2]
