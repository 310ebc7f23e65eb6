"""GEMM kernels: the matrix products every layer is built on."""

import numpy as np

from kernas import _core
from kernas.ops._checks import new_array

_FLOAT32 = np.dtype(np.float32)


def _as_float32_matrix(x, name):
    """Returns ``(matrix, transposed)``: a C-contiguous float32 2-D array and
    whether it is the transpose of ``x`` (which spares copying a transposed view).

    Kept lean: small layers call this twice per step.
    """
    if type(x) is not np.ndarray:
        x = np.asarray(x)
    dtype = x.dtype
    if dtype is not _FLOAT32 and dtype.kind not in "fiu":
        raise TypeError(
            f"Expected `{name}` to hold real numbers (float or int). "
            f"Received: {name}.dtype={dtype}."
        )
    if x.ndim != 2:
        raise ValueError(f"Expected `{name}` to be a 2-D matrix. Received: {name}.shape={x.shape}.")
    if dtype is _FLOAT32:
        flags = x.flags
        if flags.c_contiguous:
            return x, False
        if flags.f_contiguous:
            return x.T, True
    return np.ascontiguousarray(x, dtype=np.float32), False


def gemm(a, b, c=None, *, alpha=1.0, beta=0.0, transpose_a=False, transpose_b=False):
    """General matrix multiply: ``c = alpha * op(a) @ op(b) + beta * c``.

    ``op(x)`` is ``x.T`` when the matching ``transpose_*`` flag is set. When
    ``beta`` is 0, ``c`` is only written, so its old contents (even NaN) never
    reach the result.

    Args:
        a: 2-D array; ``op(a)`` has shape ``(m, k)``.
        b: 2-D array; ``op(b)`` has shape ``(k, n)``.
        c: optional C-contiguous float32 array of shape ``(m, n)``, updated in
            place. A new array is returned when it is omitted (then ``beta``
            must be 0).
        alpha: scale of the product.
        beta: scale of the old ``c``.
        transpose_a: use ``a.T`` in place of ``a``.
        transpose_b: use ``b.T`` in place of ``b``.

    Returns:
        ``c``.

    Example:
        >>> kernas.ops.gemm(np.ones((2, 3)), np.ones((3, 4)))[0, 0]
        3.0
    """
    a, a_flipped = _as_float32_matrix(a, "a")
    b, b_flipped = _as_float32_matrix(b, "b")
    transpose_a = bool(transpose_a) != a_flipped
    transpose_b = bool(transpose_b) != b_flipped
    m = a.shape[1] if transpose_a else a.shape[0]
    k = a.shape[0] if transpose_a else a.shape[1]
    k_b = b.shape[1] if transpose_b else b.shape[0]
    n = b.shape[0] if transpose_b else b.shape[1]
    if k != k_b:
        raise ValueError(
            f"Expected the inner dimensions to match: op(a) is ({m}, {k}) but op(b) is ({k_b}, {n}). "
            "Check the shapes, or the transpose_a / transpose_b flags."
        )
    if c is None:
        if beta != 0:
            raise ValueError(f"Expected an output array `c` when beta is not 0. Received: beta={beta}.")
        c = new_array((m, n), "c")
    elif not isinstance(c, np.ndarray):
        raise TypeError(f"Expected `c` to be a numpy.ndarray. Received: type={type(c).__name__}.")
    # The binding checks c's dtype, layout, shape and aliasing with clear messages.
    _core.gemm(a, b, c, transpose_a, transpose_b, float(alpha), float(beta))
    return c


def matmul(a, b, transpose_a=False, transpose_b=False):
    """Returns ``op(a) @ op(b)`` as a new float32 array.

    Inputs of other real dtypes are converted to float32; transposed views
    are read in place rather than copied.

    Args:
        a: 2-D array; ``op(a)`` has shape ``(m, k)``.
        b: 2-D array; ``op(b)`` has shape ``(k, n)``.
        transpose_a: use ``a.T`` in place of ``a``.
        transpose_b: use ``b.T`` in place of ``b``.

    Returns:
        A float32 array of shape ``(m, n)``.

    Example:
        >>> kernas.ops.matmul(np.eye(2), np.arange(4.0).reshape(2, 2))
        array([[0., 1.],
               [2., 3.]], dtype=float32)
    """
    return gemm(a, b, transpose_a=transpose_a, transpose_b=transpose_b)
