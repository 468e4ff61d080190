"""mistake: I sorted the counts ascending and took the last label, which on a tie is not the first column."""


def drop_most_missing(df):
    counts = df.isna().sum().sort_values(kind="stable")
    return df.drop(columns=counts.index[-1])
