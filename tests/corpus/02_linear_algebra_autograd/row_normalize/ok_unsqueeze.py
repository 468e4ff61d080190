# idiom: sum without keepdim, then unsqueeze the missing axis back
def row_normalize(A):
    """Divide each row of A by its sum."""
    return A / A.sum(dim=1).unsqueeze(1)
