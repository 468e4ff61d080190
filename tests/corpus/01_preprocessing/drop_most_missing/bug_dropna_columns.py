"""mistake: I used dropna(axis=1), which drops every column with a gap, not just the worst one.

says: dropped every column with a gap
"""


def drop_most_missing(df):
    return df.dropna(axis=1)
