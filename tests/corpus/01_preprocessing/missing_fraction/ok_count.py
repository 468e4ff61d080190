# idiom: DataFrame.count() gives the non-missing values per column
def missing_fraction(df):
    """Fraction of missing values in each column, indexed by column name."""
    total = len(df.index)
    return (total - df.count()) / total
