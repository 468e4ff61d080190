"""mistake: I returned the name of the column to drop instead of the new frame.

says: returned the name of the column to drop
"""


def drop_most_missing(df):
    return df.isna().sum().idxmax()
