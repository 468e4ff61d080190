# idiom: get_dummies first, then a loop that fills only the columns with gaps
import numpy as np
import pandas as pd
import torch


def preprocess(df, target):
    """Turn a frame into (X, y) float32 tensors, inputs one-hot encoded and gap-filled."""
    feature_names = [name for name in df.columns if name != target]
    inputs = pd.get_dummies(df[feature_names], dummy_na=True)
    for name in inputs.columns:
        if inputs[name].isna().any():
            inputs[name] = inputs[name].fillna(inputs[name].mean())
    X = torch.tensor(inputs.to_numpy(dtype=np.float32))
    y = torch.tensor(df[target].values.astype(np.float32))
    return X, y
