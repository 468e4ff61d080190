# idiom: fill the numeric gaps first (numeric_only mean), then one-hot encode
import numpy as np
import pandas as pd
import torch


def preprocess(df, target):
    """Turn a frame into (X, y) float32 tensors, inputs one-hot encoded and gap-filled."""
    inputs = df.drop(target, axis=1)
    inputs = inputs.fillna(inputs.mean(numeric_only=True))
    inputs = pd.get_dummies(inputs, dummy_na=True)
    X = torch.from_numpy(inputs.to_numpy(dtype=np.float32))
    y = torch.from_numpy(df[target].to_numpy(dtype=np.float32))
    return X, y
