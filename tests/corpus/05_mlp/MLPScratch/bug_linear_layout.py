"""mistake: I stored the weights as (out, in) like nn.Linear, so W1 and W2 have the transposed shapes.

says: the transposed shape
"""
import torch


class MLPScratch:
    def __init__(self, num_inputs, num_outputs, num_hiddens, lr, sigma=0.01):
        self.lr = lr
        self.W1 = torch.normal(0, sigma, size=(num_hiddens, num_inputs), requires_grad=True)
        self.b1 = torch.zeros(num_hiddens, requires_grad=True)
        self.W2 = torch.normal(0, sigma, size=(num_outputs, num_hiddens), requires_grad=True)
        self.b2 = torch.zeros(num_outputs, requires_grad=True)

    def forward(self, X):
        H = relu(X.reshape(X.shape[0], -1) @ self.W1.T + self.b1)
        return H @ self.W2.T + self.b2

    def parameters(self):
        return [self.W1, self.b1, self.W2, self.b2]
