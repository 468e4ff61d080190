# idiom: D2L 2.2 as printed: get_dummies(dummy_na=True), fillna(inputs.mean()), then tensors
import torch
import pandas as pd


def preprocess(df, target):
    """Turn a frame into (X, y) float32 tensors, inputs one-hot encoded and gap-filled."""
    inputs, targets = df.drop(columns=target), df[target]
    inputs = pd.get_dummies(inputs, dummy_na=True)
    inputs = inputs.fillna(inputs.mean())
    X = torch.tensor(inputs.to_numpy(dtype=float))
    y = torch.tensor(targets.to_numpy(dtype=float))
    return X.to(torch.float32), y.to(torch.float32)
