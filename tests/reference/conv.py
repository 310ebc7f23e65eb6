"""NumPy (float64) reference of the Conv2D kernels: NHWC inputs, HWIO kernels.

Each kernel tap (kh, kw) is one strided slice of the zero-padded input times
the tap's (in, out) matrix; the gradients apply the same slices backwards.
Obvious rather than fast; never calls kernas.
"""

import numpy as np


def _axis(size, kernel, stride, dilation, padding):
    """(output size, padding before, padding after) along one axis, by Keras's rules."""
    span = (kernel - 1) * dilation + 1
    if padding == "valid":
        return (size - span) // stride + 1, 0, 0
    out = -(-size // stride)
    total = max((out - 1) * stride + span - size, 0)
    return out, total // 2, total - total // 2


def geometry(x_shape, kernel_shape, strides=(1, 1), padding="valid", dilation_rate=(1, 1)):
    """``((out_h, pad_top, pad_bottom), (out_w, pad_left, pad_right))``."""
    return tuple(
        _axis(x_shape[1 + a], kernel_shape[a], strides[a], dilation_rate[a], padding.lower()) for a in range(2)
    )


def _tap_slices(kernel_shape, axes, strides, dilation_rate):
    """Yields (kh, kw, slices) where slices picks tap (kh, kw)'s inputs from the padded input."""
    (out_h, _, _), (out_w, _, _) = axes
    for kh in range(kernel_shape[0]):
        for kw in range(kernel_shape[1]):
            top, left = kh * dilation_rate[0], kw * dilation_rate[1]
            yield kh, kw, (
                slice(None),
                slice(top, top + (out_h - 1) * strides[0] + 1, strides[0]),
                slice(left, left + (out_w - 1) * strides[1] + 1, strides[1]),
                slice(None),
            )


def _padded(x, axes):
    (_, top, bottom), (_, left, right) = axes
    return np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)))


def conv2d(x, kernel, bias=None, strides=(1, 1), padding="valid", dilation_rate=(1, 1)):
    """``conv2d(x, kernel) + bias`` before any activation, in float64."""
    x, kernel = np.asarray(x, np.float64), np.asarray(kernel, np.float64)
    axes = geometry(x.shape, kernel.shape, strides, padding, dilation_rate)
    padded = _padded(x, axes)
    z = np.zeros((x.shape[0], axes[0][0], axes[1][0], kernel.shape[3]))
    for kh, kw, taps in _tap_slices(kernel.shape, axes, strides, dilation_rate):
        z += padded[taps] @ kernel[kh, kw]
    return z if bias is None else z + np.asarray(bias, np.float64)


def conv2d_backward(x, kernel, dz, strides=(1, 1), padding="valid", dilation_rate=(1, 1)):
    """``(dx, dkernel, dbias)`` of ``conv2d(x, kernel) + bias`` given ``dz``, in float64."""
    x, kernel, dz = (np.asarray(a, np.float64) for a in (x, kernel, dz))
    axes = geometry(x.shape, kernel.shape, strides, padding, dilation_rate)
    padded = _padded(x, axes)
    dpadded = np.zeros_like(padded)
    dkernel = np.zeros_like(kernel)
    for kh, kw, taps in _tap_slices(kernel.shape, axes, strides, dilation_rate):
        dpadded[taps] += dz @ kernel[kh, kw].T
        dkernel[kh, kw] = np.einsum("nhwc,nhwo->co", padded[taps], dz)
    (_, top, _), (_, left, _) = axes
    dx = dpadded[:, top : top + x.shape[1], left : left + x.shape[2]]
    return dx, dkernel, dz.sum(axis=(0, 1, 2))


def activation(z, name):
    """The elementwise activations the Conv2D tests compare after a fused forward, in float64."""
    if name == "relu":
        return np.maximum(z, 0.0)
    if name == "sigmoid":
        return 1.0 / (1.0 + np.exp(-z))
    raise ValueError(f"no reference for activation {name!r}")
