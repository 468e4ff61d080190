"""mistake: I averaged with axis=1, so I got one number per row instead of per column."""


def missing_fraction(df):
    return df.isna().mean(axis=1)
