"""mistake: I dropped the column with inplace=True and returned df, so the caller's frame lost it too.

says: changed its input df
"""


def drop_most_missing(df):
    df.drop(columns=df.isna().sum().idxmax(), inplace=True)
    return df
