"""mistake: I sorted the counts ascending and took the last label, which on a tie is not the first column.

says: on a tie you dropped the last of the tied columns
"""


def drop_most_missing(df):
    counts = df.isna().sum().sort_values(kind="stable")
    return df.drop(columns=counts.index[-1])
