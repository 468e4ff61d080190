"""mistake: I kept the float64 tensors that to_numpy(dtype=float) gives, as the book prints them, instead of float32.

says: X should be float32, got torch.float64
"""
import pandas as pd
import torch


def preprocess(df, target):
    inputs = pd.get_dummies(df.drop(columns=target), dummy_na=True)
    inputs = inputs.fillna(inputs.mean())
    X = torch.tensor(inputs.to_numpy(dtype=float))
    y = torch.tensor(df[target].to_numpy(dtype=float))
    return X, y
