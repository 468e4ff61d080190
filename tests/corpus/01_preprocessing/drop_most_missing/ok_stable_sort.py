# idiom: a stable sort of the counts, largest first, then the first label
def drop_most_missing(df):
    """A new frame without the column that has the most missing values."""
    counts = df.isna().sum()
    order = sorted(range(len(counts)), key=lambda i: -counts.iloc[i])  # sorted() is stable
    return df.drop(columns=counts.index[order[0]])
