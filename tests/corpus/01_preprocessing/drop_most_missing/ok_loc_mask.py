# idiom: a boolean mask over the columns with .loc
def drop_most_missing(df):
    """A new frame without the column that has the most missing values."""
    to_drop = df.isna().sum().idxmax()
    return df.loc[:, df.columns != to_drop]
