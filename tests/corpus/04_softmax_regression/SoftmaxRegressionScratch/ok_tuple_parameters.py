# idiom: parameters() as a tuple
import torch


class SoftmaxRegressionScratch:
    """Softmax regression with explicit parameters W and b."""

    def __init__(self, num_inputs, num_outputs, lr, sigma=0.01):
        self.num_inputs = num_inputs
        self.lr = lr
        self.W = torch.normal(mean=0.0, std=sigma, size=(num_inputs, num_outputs))
        self.W.requires_grad_(True)
        self.b = torch.zeros(num_outputs)
        self.b.requires_grad_(True)

    def forward(self, X):
        O = torch.mm(X.reshape(-1, self.num_inputs), self.W) + self.b
        return softmax(O)

    def parameters(self):
        return (self.W, self.b)
