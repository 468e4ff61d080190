"""mistake: I returned percentages (0 to 100) instead of fractions."""


def missing_fraction(df):
    return df.isna().mean() * 100
