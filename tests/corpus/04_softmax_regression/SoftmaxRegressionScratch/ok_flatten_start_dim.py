# idiom: flatten(start_dim=1), weights scaled from randn then requires_grad_()
import torch


class SoftmaxRegressionScratch:
    """Softmax regression with explicit parameters W and b."""

    def __init__(self, num_inputs, num_outputs, lr, sigma=0.01):
        self.lr = lr
        self.W = (torch.randn(num_inputs, num_outputs) * sigma).requires_grad_()
        self.b = torch.zeros(num_outputs).requires_grad_()

    def forward(self, X):
        return softmax(X.flatten(start_dim=1) @ self.W + self.b)

    def parameters(self):
        return [self.W, self.b]
