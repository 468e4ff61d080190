"""mistake: I returned the name of the column to drop instead of the new frame."""


def drop_most_missing(df):
    return df.isna().sum().idxmax()
