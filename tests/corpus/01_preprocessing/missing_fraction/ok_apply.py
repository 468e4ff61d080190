# idiom: DataFrame.apply with a lambda per column
def missing_fraction(df):
    """Fraction of missing values in each column, indexed by column name."""
    return df.apply(lambda column: column.isna().sum() / len(column)).astype("float64")
