"""mistake: I forgot to take the target column out of the inputs.

says: the target column is still among the inputs
"""
import pandas as pd
import torch


def preprocess(df, target):
    inputs = pd.get_dummies(df, dummy_na=True)
    inputs = inputs.fillna(inputs.mean())
    X = torch.tensor(inputs.to_numpy(dtype=float), dtype=torch.float32)
    y = torch.tensor(df[target].to_numpy(dtype=float), dtype=torch.float32)
    return X, y
