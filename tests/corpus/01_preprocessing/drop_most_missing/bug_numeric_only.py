"""mistake: I only counted gaps in the numeric columns, so a text column with more gaps is kept."""


def drop_most_missing(df):
    counts = df.select_dtypes("number").isna().sum()
    return df.drop(columns=counts.idxmax())
