"""The wire's pandas values: data frames, series and indexes as columns of plain values.

Sent into the kernel as text ahead of `wire.py`, after `wire_values.py`. Every column decoded
holds exactly one value per row of its index (no broadcasting). `encode_value` and
`decode_value` are `wire.encode` and `wire.decode`, passed in for a series' name.
"""

import math

try:
    from .wire_values import ARRAY_KINDS, WireError, _array_spec, _decode_array, _float_spec
except ImportError:  # run as text in the kernel: wire_values.py's text came first
    pass

def _encode_pandas(value, buffers, on_other, encode_value):
    import pandas as pd

    if isinstance(value, pd.DataFrame):
        return {"$dataframe": {
            "columns": _encode_index(value.columns, buffers),
            "index": _encode_index(value.index, buffers),
            "data": [_encode_column(value.iloc[:, i], buffers) for i in range(value.shape[1])],
        }}
    if isinstance(value, pd.Series):
        return {"$series": {
            "name": encode_value(value.name, buffers, on_other),
            "index": _encode_index(value.index, buffers),
            "data": _encode_column(value, buffers),
        }}
    if isinstance(value, pd.Index):
        return {"$index": _encode_index(value, buffers)}
    return None


def _encode_index(index, buffers):
    import pandas as pd

    if isinstance(index, pd.RangeIndex):
        return {"range": [index.start, index.stop, index.step], "name": _plain_name(index.name)}
    return {"values": _encode_column(pd.Series(index, copy=False), buffers),
            "name": _plain_name(index.name)}


def _plain_name(name):
    return name if name is None or isinstance(name, (str, int, float, bool)) else str(name)


def _encode_column(series, buffers):
    """One column of values: numbers as bytes, everything else as a list of plain scalars."""
    import numpy as np
    import pandas as pd

    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return {"categorical": {
            "categories": _encode_column(pd.Series(dtype.categories), buffers),
            "codes": _array_spec(np.asarray(series.cat.codes), buffers),
            "ordered": bool(dtype.ordered),
        }}
    if isinstance(dtype, np.dtype) and dtype.kind in ARRAY_KINDS:
        return {"array": _array_spec(series.to_numpy(), buffers)}
    values = []
    for v in series.tolist():
        if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
            values.append(None)
        elif isinstance(v, (bool, str, int)):
            values.append(v)
        elif isinstance(v, float):
            values.append(_float_spec(v))
        elif isinstance(v, np.generic):
            values.append(_float_spec(float(v)) if v.dtype.kind == "f" else v.item())
        else:
            values.append(str(v))
    return {"list": values, "dtype": str(dtype)}


SAFE_LIST_DTYPES = {"object", "str", "string", "bool", "boolean", "Int64", "Float64", "Int32"}


def _decode_cell(value, buffers):
    """One value of a list column: a plain scalar, or a float JSON cannot hold."""
    if isinstance(value, str):
        buffers.take(len(value) // 8)
    if isinstance(value, dict) and set(value) == {"$float"}:
        return float(value["$float"])
    if isinstance(value, dict):
        raise WireError("column values must be plain scalars")
    return value


def _decode_column(body, buffers):
    import pandas as pd

    if "categorical" in body:
        cat = body["categorical"]
        categories = _decode_column(cat["categories"], buffers)
        codes = _decode_array(cat["codes"], buffers)
        return pd.Categorical.from_codes(codes, categories=categories, ordered=bool(cat["ordered"]))
    if "array" in body:
        return _decode_array(body["array"], buffers)
    buffers.take(len(body["list"]))
    values = [_decode_cell(v, buffers) for v in body["list"]]
    if any(not (v is None or isinstance(v, (bool, int, float, str))) for v in values):
        raise WireError("column values must be plain scalars")
    dtype = body.get("dtype", "object")
    return pd.array(values, dtype=dtype if dtype in SAFE_LIST_DTYPES else "object")


def _decode_index(body, buffers):
    import pandas as pd

    if "range" in body:
        start, stop, step = body["range"]
        index = pd.RangeIndex(start, stop, step, name=body.get("name"))
        buffers.take(len(index))
        return index
    return pd.Index(_decode_column(body["values"], buffers), name=body.get("name"))


def _column_for(index, body, buffers):
    """A column's data, exactly one value per row of `index` (pandas would broadcast a 0-d
    array, or a scalar, over any index: a 16-byte reply would become gigabytes)."""
    data = _decode_column(body, buffers)
    if getattr(data, "ndim", 1) != 1 or len(data) != len(index):
        raise WireError("column data does not match its index")
    return data


def _decode_pandas(tag, body, buffers, on_ref, decode_value):
    import pandas as pd

    if tag == "$index":
        return _decode_index(body, buffers)
    index = _decode_index(body["index"], buffers)
    if tag == "$series":
        name = decode_value(body["name"], buffers, on_ref)
        return pd.Series(_column_for(index, body["data"], buffers), index=index, name=name, copy=True)
    columns = _decode_index(body["columns"], buffers)
    if len(columns) != len(body["data"]):
        raise WireError("data frame columns do not match their data")
    frame = pd.DataFrame(
        {i: pd.Series(_column_for(index, col, buffers), index=index, copy=True)
         for i, col in enumerate(body["data"])},
        index=index,
    )
    frame.columns = columns
    return frame
