# idiom: df.items() and two lists
import pandas as pd


def missing_fraction(df):
    """Fraction of missing values in each column, indexed by column name."""
    names, values = [], []
    for name, column in df.items():
        names.append(name)
        values.append(float(column.isna().sum()) / float(len(column)))
    return pd.Series(values, index=names)
