"""mistake: I selected the target with df[[target]], so y has shape (n, 1) instead of (n,).

says: y has one column where a vector was expected
"""
import pandas as pd
import torch


def preprocess(df, target):
    inputs = pd.get_dummies(df.drop(columns=target), dummy_na=True)
    inputs = inputs.fillna(inputs.mean())
    X = torch.tensor(inputs.to_numpy(dtype=float), dtype=torch.float32)
    y = torch.tensor(df[[target]].to_numpy(dtype=float), dtype=torch.float32)
    return X, y
