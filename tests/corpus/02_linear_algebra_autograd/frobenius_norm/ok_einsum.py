# idiom: einsum for the sum of products
import torch


def frobenius_norm(A):
    """sqrt of the sum of the squared entries of A, as a 0-dim tensor."""
    return torch.sqrt(torch.einsum("ij,ij->", A, A))
