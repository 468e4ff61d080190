"""mistake: I averaged with axis=1, so I got one number per row instead of per column.

says: one fraction per row, not one per column
"""


def missing_fraction(df):
    return df.isna().mean(axis=1)
