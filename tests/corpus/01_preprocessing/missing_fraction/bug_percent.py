"""mistake: I returned percentages (0 to 100) instead of fractions.

says: percentages (0 to 100), not fractions
"""


def missing_fraction(df):
    return df.isna().mean() * 100
