"""mistake: my loop uses >=, so on a tie it drops the last of the tied columns instead of the first.

says: on a tie you dropped the last of the tied columns
"""


def drop_most_missing(df):
    best_name, best_count = None, -1
    for name in df.columns:
        count = df[name].isna().sum()
        if count >= best_count:
            best_name, best_count = name, count
    return df.drop(columns=best_name)
