# idiom: D2L 4.4's class, without the d2l base class
import torch


class SoftmaxRegressionScratch:
    """Softmax regression with explicit parameters W and b."""

    def __init__(self, num_inputs, num_outputs, lr, sigma=0.01):
        self.num_inputs, self.num_outputs, self.lr, self.sigma = num_inputs, num_outputs, lr, sigma
        self.W = torch.normal(0, sigma, size=(num_inputs, num_outputs), requires_grad=True)
        self.b = torch.zeros(num_outputs, requires_grad=True)

    def parameters(self):
        return [self.W, self.b]

    def forward(self, X):
        X = X.reshape((-1, self.W.shape[0]))
        return softmax(torch.matmul(X, self.W) + self.b)
