# idiom: np.argmax over the counts (it returns the first maximum)
import numpy as np


def drop_most_missing(df):
    """A new frame without the column that has the most missing values."""
    counts = df.isna().sum().to_numpy()
    column = df.columns[np.argmax(counts)]
    return df.drop(column, axis=1)
