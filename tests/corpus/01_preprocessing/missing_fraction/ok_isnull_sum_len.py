# idiom: count with isnull().sum(), divide by the number of rows
def missing_fraction(df):
    """Fraction of missing values in each column, indexed by column name."""
    n_rows = len(df)
    return df.isnull().sum() / n_rows
