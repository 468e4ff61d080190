# idiom: the notebook's hint, the mean of the isna() mask
def missing_fraction(df):
    """Fraction of missing values in each column, indexed by column name."""
    return df.isna().mean()
