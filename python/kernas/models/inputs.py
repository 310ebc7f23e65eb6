"""Conversion of user data (x, y, sample weights) into the arrays the kernels take."""

import numpy as np

from kernas.ops._checks import as_float32


def _as_array(data, name):
    try:
        array = np.asarray(data)
    except (TypeError, ValueError) as error:
        raise TypeError(f"Expected `{name}` to be a NumPy array or array-like. Received: {type(data).__name__} ({error}).") from None
    if array.dtype == object or not (np.issubdtype(array.dtype, np.number) or array.dtype == np.bool_):
        raise TypeError(
            f"Expected `{name}` to hold numbers. Received: {name} with dtype {array.dtype}. "
            "Convert strings or mixed objects to a numeric array first (e.g. np.asarray(x, dtype='float32'))."
        )
    return array


def as_float32_input(data, name):
    """``data`` as a C-contiguous float32 array; float64, ints and bools are converted."""
    return as_float32(_as_array(data, name), name)


def as_numeric(data, name):
    """``data`` as a numeric array, dtype kept (labels may be integers)."""
    return _as_array(data, name)
