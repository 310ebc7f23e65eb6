"""NumPy (float64) reference of the matrix kernels: GEMM and Dense.

Tests compare the native kernels against these; they favour obviousness over
speed and never call kernas.
"""

import numpy as np


def gemm(a, b, c=None, alpha=1.0, beta=0.0, transpose_a=False, transpose_b=False):
    """``alpha * op(a) @ op(b) + beta * c`` in float64; ``c`` is ignored when beta is 0."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    product = (a.T if transpose_a else a) @ (b.T if transpose_b else b)
    if beta == 0:
        return alpha * product
    return alpha * product + beta * np.asarray(c, dtype=np.float64)


def gemm_error_bound(a, b, c=None, alpha=1.0, beta=0.0, transpose_a=False, transpose_b=False):
    """A per-element bound on float32 rounding error for ``gemm``.

    Accumulating k products in float32 (with or without FMA) errs by at most
    about k * u * sum(|a||b|), u = 2**-24; the epilogue adds a few more units.
    Twice that leaves room for the reordering any blocking may do, and stays
    far below what any wrong index or missing term produces.
    """
    op_a = np.abs(np.asarray(a, dtype=np.float64))
    op_b = np.abs(np.asarray(b, dtype=np.float64))
    op_a = op_a.T if transpose_a else op_a
    op_b = op_b.T if transpose_b else op_b
    k = op_a.shape[1]
    unit = 2.0**-24
    magnitude = abs(alpha) * (op_a @ op_b)
    if beta != 0:
        magnitude = magnitude + abs(beta) * np.abs(np.asarray(c, dtype=np.float64))
    return 2.0 * (k + 3) * unit * magnitude + np.finfo(np.float32).tiny


def dense_linear(x, kernel, bias=None):
    """``x @ kernel + bias`` in float64: a Dense layer before its activation."""
    y = np.asarray(x, np.float64) @ np.asarray(kernel, np.float64)
    return y if bias is None else y + np.asarray(bias, np.float64)


def dense_backward(x, kernel, dz):
    """``(dx, dkernel, dbias)`` of ``x @ kernel + bias`` given ``dz``, in float64."""
    x, kernel, dz = (np.asarray(a, np.float64) for a in (x, kernel, dz))
    return dz @ kernel.T, x.T @ dz, dz.sum(axis=0)
