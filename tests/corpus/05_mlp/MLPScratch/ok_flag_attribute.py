# idiom: scale first, then set the requires_grad attribute
import torch


class MLPScratch:
    """An MLP with one hidden layer and explicit parameters."""

    def __init__(self, num_inputs, num_outputs, num_hiddens, lr, sigma=0.01):
        self.lr = lr
        self.W1 = torch.randn(num_inputs, num_hiddens) * sigma
        self.b1 = torch.zeros(num_hiddens)
        self.W2 = torch.randn(num_hiddens, num_outputs) * sigma
        self.b2 = torch.zeros(num_outputs)
        for p in (self.W1, self.b1, self.W2, self.b2):
            p.requires_grad = True

    def forward(self, X):
        H = relu(X.flatten(1) @ self.W1 + self.b1)
        return H @ self.W2 + self.b2

    def parameters(self):
        return [self.W1, self.b1, self.W2, self.b2]
