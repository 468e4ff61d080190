# idiom: the notebook's hint, isna().sum().idxmax()
def drop_most_missing(df):
    """A new frame without the column that has the most missing values."""
    worst = df.isna().sum().idxmax()
    return df.drop(columns=worst)
