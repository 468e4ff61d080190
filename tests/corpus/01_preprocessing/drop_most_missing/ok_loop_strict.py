# idiom: a loop that keeps the first column with the largest count (strict >)
def drop_most_missing(df):
    """A new frame without the column that has the most missing values."""
    best_name, best_count = None, -1
    for name in df.columns:
        count = int(df[name].isna().sum())
        if count > best_count:
            best_name, best_count = name, count
    return df.drop(columns=[best_name])
