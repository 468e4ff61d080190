# idiom: get_dummies with dtype=float, then fillna with a dict of column means
import pandas as pd
import torch


def preprocess(df, target):
    """Turn a frame into (X, y) float32 tensors, inputs one-hot encoded and gap-filled."""
    y = torch.tensor(df[target].to_numpy(dtype="float32"))
    inputs = pd.get_dummies(df.drop(columns=target), dummy_na=True, dtype=float)
    means = inputs.mean(numeric_only=True).to_dict()
    inputs = inputs.fillna(value=means)
    X = torch.tensor(inputs.to_numpy(dtype="float32"), dtype=torch.float32)
    return X, y
