"""mistake: I used notna() and got the fraction of values that are there, not the missing ones.

says: fractions of values present, not missing
"""


def missing_fraction(df):
    return df.notna().mean()
