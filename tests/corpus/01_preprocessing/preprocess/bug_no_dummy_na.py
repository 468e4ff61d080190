"""mistake: I called get_dummies without dummy_na=True, so there is no column for missing categories.

says: no column for missing categories
"""
import pandas as pd
import torch


def preprocess(df, target):
    inputs = pd.get_dummies(df.drop(columns=target))
    inputs = inputs.fillna(inputs.mean())
    X = torch.tensor(inputs.to_numpy(dtype=float), dtype=torch.float32)
    y = torch.tensor(df[target].to_numpy(dtype=float), dtype=torch.float32)
    return X, y
