# idiom: reuse missing_fraction from the cell above
def drop_most_missing(df):
    """A new frame without the column that has the most missing values."""
    fractions = missing_fraction(df)
    return df.drop(columns=fractions.idxmax())
