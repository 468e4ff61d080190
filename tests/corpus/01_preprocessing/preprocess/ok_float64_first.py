# idiom: as the notebook suggests, everything to float64 before filling the gaps
import pandas as pd
import torch


def preprocess(df, target):
    """Turn a frame into (X, y) float32 tensors, inputs one-hot encoded and gap-filled."""
    features = df.loc[:, df.columns != target]
    encoded = pd.get_dummies(features, dummy_na=True).astype(float)
    encoded = encoded.fillna(encoded.mean())
    X = torch.from_numpy(encoded.to_numpy()).to(torch.float32)
    y = torch.from_numpy(df[target].astype(float).to_numpy()).to(torch.float32)
    return X, y
