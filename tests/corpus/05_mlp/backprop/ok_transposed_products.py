# idiom: gradients computed as (H^T dO)^T and (X^T dZ)^T, weight decay added last
import torch


def backprop(X, y, W1, W2, lambd):
    """Gradients (dJ/dW1, dJ/dW2) of the network above, computed by hand."""
    num_examples = X.shape[0]
    Z = torch.mm(X, W1.t())
    H = relu(Z)
    O = torch.mm(H, W2.t())
    O_exp = torch.exp(O - O.max(dim=1, keepdim=True)[0])
    softmax_O = O_exp / O_exp.sum(dim=1, keepdim=True)
    indicator = torch.zeros_like(softmax_O)
    indicator[torch.arange(num_examples), y] = 1
    grad_O = (softmax_O - indicator) / num_examples
    grad_W2 = torch.mm(H.t(), grad_O).t()
    grad_H = torch.mm(grad_O, W2)
    grad_Z = grad_H * (Z > 0).to(grad_H.dtype)
    grad_W1 = torch.mm(X.t(), grad_Z).t()
    return grad_W1 + lambd * W1, grad_W2 + lambd * W2
