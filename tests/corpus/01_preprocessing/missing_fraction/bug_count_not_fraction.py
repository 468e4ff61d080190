"""mistake: I returned how many values are missing in each column, not the fraction."""


def missing_fraction(df):
    return df.isna().sum()
