# idiom: copy the frame, then del the column from the copy
def drop_most_missing(df):
    """A new frame without the column that has the most missing values."""
    counts = df.isnull().sum()
    result = df.copy()
    del result[counts.idxmax()]
    return result
