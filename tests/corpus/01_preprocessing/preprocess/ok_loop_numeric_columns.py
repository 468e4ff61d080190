# idiom: a loop over the columns, filling each numeric one with its own mean
import pandas as pd
import torch


def preprocess(df, target):
    """Turn a frame into (X, y) float32 tensors, inputs one-hot encoded and gap-filled."""
    inputs = df.drop(columns=[target]).copy()
    for name in inputs.columns:
        column = inputs[name]
        if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
            inputs[name] = column.fillna(column.mean())
    inputs = pd.get_dummies(inputs, dummy_na=True)
    X = torch.tensor(inputs.to_numpy(dtype="float32"))
    y = torch.tensor(df[target].to_numpy(dtype="float32"))
    return X, y
