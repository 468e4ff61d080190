# idiom: one minus the fraction of values present
def missing_fraction(df):
    """Fraction of missing values in each column, indexed by column name."""
    present = df.notna().mean()
    return 1.0 - present
