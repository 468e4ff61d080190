# idiom: turn the mask into 0.0/1.0 first, then average down the rows
def missing_fraction(df):
    """Fraction of missing values in each column, indexed by column name."""
    return df.isna().astype(float).mean(axis=0)
