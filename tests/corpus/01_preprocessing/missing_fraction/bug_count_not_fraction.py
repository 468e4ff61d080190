"""mistake: I returned how many values are missing in each column, not the fraction.

says: counts of missing values, not fractions
"""


def missing_fraction(df):
    return df.isna().sum()
