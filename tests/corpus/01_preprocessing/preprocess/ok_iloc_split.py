# idiom: the book's iloc split, generalised to a target anywhere: columns by position
import pandas as pd
import torch


def preprocess(df, target):
    """Turn a frame into (X, y) float32 tensors, inputs one-hot encoded and gap-filled."""
    position = df.columns.get_loc(target)
    others = [i for i in range(df.shape[1]) if i != position]
    inputs, outputs = df.iloc[:, others], df.iloc[:, position]
    inputs = pd.get_dummies(inputs, dummy_na=True)
    inputs = inputs.fillna(inputs.mean())
    X = torch.tensor(inputs.to_numpy(dtype=float), dtype=torch.float32)
    y = torch.tensor(outputs.to_numpy(dtype=float), dtype=torch.float32)
    return X, y
