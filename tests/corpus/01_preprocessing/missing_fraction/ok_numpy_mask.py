# idiom: the mask as a NumPy array, averaged over axis 0
import numpy as np
import pandas as pd


def missing_fraction(df):
    """Fraction of missing values in each column, indexed by column name."""
    mask = df.isna().to_numpy()
    return pd.Series(np.mean(mask, axis=0), index=df.columns)
