# idiom: a dict of counts and max(..., key=...), which keeps the first of equal keys
def drop_most_missing(df):
    """A new frame without the column that has the most missing values."""
    counts = {name: df[name].isna().sum() for name in df.columns}
    worst = max(counts, key=counts.get)
    return df.drop(columns=worst)
