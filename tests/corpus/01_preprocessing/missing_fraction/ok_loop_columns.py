# idiom: a loop over the columns, building a Series from a dict
import pandas as pd


def missing_fraction(df):
    """Fraction of missing values in each column, indexed by column name."""
    fractions = {}
    for name in df.columns:
        fractions[name] = df[name].isna().sum() / df.shape[0]
    return pd.Series(fractions, dtype=float)
