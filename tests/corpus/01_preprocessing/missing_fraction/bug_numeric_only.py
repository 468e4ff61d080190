"""mistake: I only looked at the numeric columns, so the text columns are missing from my answer.

says: only the numeric columns are in your answer
"""


def missing_fraction(df):
    numbers = df.select_dtypes(include="number")
    return numbers.isna().mean()
