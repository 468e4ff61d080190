"""mistake: I filled the gaps of df itself with inplace=True before encoding, which changes the caller's frame.

says: changed its input df
"""
import pandas as pd
import torch


def preprocess(df, target):
    df.fillna(df.mean(numeric_only=True), inplace=True)
    inputs = pd.get_dummies(df.drop(columns=target), dummy_na=True)
    X = torch.tensor(inputs.to_numpy(dtype=float), dtype=torch.float32)
    y = torch.tensor(df[target].to_numpy(dtype=float), dtype=torch.float32)
    return X, y
