"""mistake: I divided the counts by the number of columns instead of the number of rows.

says: divided by the number of columns
"""


def missing_fraction(df):
    return df.isna().sum() / len(df.columns)
