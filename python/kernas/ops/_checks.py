"""Argument conversion shared by the kernel wrappers in kernas.ops."""

import math

import numpy as np

from kernas.backend import weight_budget

_FLOAT32 = np.dtype(np.float32)

# The largest size, unit count, stride or dilation kernas takes: positions
# within an image are 32-bit in the kernels, and larger Python ints would reach
# the native module as values it cannot convert (an unclear pybind11 TypeError).
MAX_EXTENT = 2**31 - 1


def check_extents(values, name, shown):
    """Returns ``values`` (ints) unless one exceeds ``MAX_EXTENT``; ``shown`` is the argument as received."""
    if max(values, default=0) > MAX_EXTENT:
        raise ValueError(
            f"Expected `{name}` to be at most 2**31 - 1 ({MAX_EXTENT}). Received: {name}={shown!r}. "
            "No array that large fits in memory; use a smaller value."
        )
    return values


def new_array(shape, name, dtype=_FLOAT32):
    """``np.empty(shape, dtype)`` for a result, refused with a ValueError when the machine cannot hold it.

    A result can be far larger than the arguments (``gemm`` of ``(m, 0)`` by
    ``(0, n)``, a Dense kernel of shape ``(0, units)``, a pooling gradient
    of a huge declared input shape); Linux overcommits such an allocation and
    kills the process once the kernel writes it, so it is refused here first.
    """
    nbytes = math.prod(shape) * np.dtype(dtype).itemsize
    weight_budget.require_memory(nbytes, lambda: (
        f"the result `{name}`", f"shape {tuple(shape)}, {nbytes} bytes ({weight_budget.byte_text(nbytes)})",
        "Use smaller inputs or layer sizes."))
    return np.empty(shape, dtype=dtype)


def caller_output(out, name):
    """A caller's ``out=`` array, or ``None``: anything else is refused here by name (the native module checks
    an array's dtype, layout, shape and overlap; a non-array would reach it as pybind11's unclear TypeError)."""
    if out is not None and not isinstance(out, np.ndarray):
        raise TypeError(
            f"Expected `{name}` to be a float32 NumPy array or None. Received: {name} of type {type(out).__name__}."
        )
    return out


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
