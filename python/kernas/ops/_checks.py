"""Argument conversion shared by the kernel wrappers in kernas.ops."""

import numpy as np

_FLOAT32 = np.dtype(np.float32)


def as_float32(x, name, ndim=None):
    """Returns ``x`` as a C-contiguous float32 array, copying only when needed.

    Raises TypeError for non-numeric dtypes and ValueError for a wrong number
    of dimensions, naming the argument.
    """
    if type(x) is not np.ndarray:
        x = np.asarray(x)
    dtype = x.dtype
    if dtype is not _FLOAT32 and dtype.kind not in "fiub":
        raise TypeError(f"Expected `{name}` to hold real numbers. Received: {name}.dtype={dtype}.")
    if ndim is not None and x.ndim != ndim:
        raise ValueError(f"Expected `{name}` to have {ndim} dimensions. Received: {name}.shape={x.shape}.")
    if dtype is _FLOAT32 and x.flags.c_contiguous:
        return x
    # np.asarray keeps a 0-d array 0-d (np.ascontiguousarray would make it 1-d).
    return np.asarray(x, dtype=np.float32, order="C")


def padding_name(padding):
    """Keras's ``padding`` argument of a window op, lower-cased: ``"valid"`` or ``"same"``."""
    if not isinstance(padding, str):
        raise TypeError(f"Expected `padding` to be 'valid' or 'same'. Received: padding={padding!r}.")
    name = padding.lower()
    if name not in ("valid", "same"):
        raise ValueError(f"Expected `padding` to be 'valid' or 'same' (any case). Received: padding={padding!r}.")
    return name
