"""mistake: I hard-coded 0.01 as the standard deviation of the weights and ignored sigma.

says: the sigma argument is ignored
"""
import torch


class MLPScratch:
    def __init__(self, num_inputs, num_outputs, num_hiddens, lr, sigma=0.01):
        self.lr = lr
        self.W1 = torch.normal(0, 0.01, size=(num_inputs, num_hiddens), requires_grad=True)
        self.b1 = torch.zeros(num_hiddens, requires_grad=True)
        self.W2 = torch.normal(0, 0.01, size=(num_hiddens, num_outputs), requires_grad=True)
        self.b2 = torch.zeros(num_outputs, requires_grad=True)

    def forward(self, X):
        H = relu(X.reshape(X.shape[0], -1) @ self.W1 + self.b1)
        return H @ self.W2 + self.b2

    def parameters(self):
        return [self.W1, self.b1, self.W2, self.b2]
