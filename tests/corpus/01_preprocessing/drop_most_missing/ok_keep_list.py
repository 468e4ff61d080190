# idiom: select the columns to keep with a list comprehension
def drop_most_missing(df):
    """A new frame without the column that has the most missing values."""
    counts = df.isna().sum()
    to_drop = counts.idxmax()
    keep = [name for name in df.columns if name != to_drop]
    return df[keep]
