# idiom: fill the gaps in torch: torch.nanmean and torch.where on a float64 tensor
import pandas as pd
import torch


def preprocess(df, target):
    """Turn a frame into (X, y) float32 tensors, inputs one-hot encoded and gap-filled."""
    inputs = pd.get_dummies(df.drop(columns=target), dummy_na=True)
    X = torch.tensor(inputs.astype("float64").to_numpy())
    means = torch.nanmean(X, dim=0, keepdim=True).expand_as(X)
    X = torch.where(torch.isnan(X), means, X)
    y = torch.tensor(df[target].to_numpy(dtype="float64"))
    return X.float(), y.float()
