# idiom: NumPy after get_dummies: np.nanmean per column and np.where to fill
import warnings

import numpy as np
import pandas as pd
import torch


def preprocess(df, target):
    """Turn a frame into (X, y) float32 tensors, inputs one-hot encoded and gap-filled."""
    inputs = pd.get_dummies(df.drop(columns=target), dummy_na=True)
    values = inputs.to_numpy(dtype=np.float64, na_value=np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-missing column has no mean
        means = np.nanmean(values, axis=0)
    values = np.where(np.isnan(values), means, values)
    X = torch.tensor(values, dtype=torch.float32)
    y = torch.tensor(df[target].to_numpy(dtype=np.float64), dtype=torch.float32)
    return X, y
