# idiom: parameters() as a tuple, torch.mm in forward
import torch


class MLPScratch:
    """An MLP with one hidden layer and explicit parameters."""

    def __init__(self, num_inputs, num_outputs, num_hiddens, lr, sigma=0.01):
        self.num_inputs = num_inputs
        self.lr = lr
        self.W1 = (sigma * torch.randn(num_inputs, num_hiddens)).requires_grad_(True)
        self.b1 = torch.zeros(num_hiddens).requires_grad_(True)
        self.W2 = (sigma * torch.randn(num_hiddens, num_outputs)).requires_grad_(True)
        self.b2 = torch.zeros(num_outputs).requires_grad_(True)

    def forward(self, X):
        X = X.reshape(-1, self.num_inputs)
        hidden = relu(torch.mm(X, self.W1) + self.b1)
        return torch.mm(hidden, self.W2) + self.b2

    def parameters(self):
        return (self.W1, self.b1, self.W2, self.b2)
