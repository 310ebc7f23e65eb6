"""NumPy (float64) reference of the pooling kernels, NHWC, TensorFlow/Keras window rules.

Each window is visited explicitly; padded positions are simply not part of it.
Tests compare the native kernels against these; they favour obviousness over
speed and never call kernas.
"""

import math

import numpy as np


def axis_windows(extent, pool, stride, padding):
    """The input range [begin, end) of every window along one axis (padding left out)."""
    if padding == "same":
        out = math.ceil(extent / stride)
        pad_before = max((out - 1) * stride + pool - extent, 0) // 2
    else:
        out = (extent - pool) // stride + 1
        pad_before = 0
    windows = []
    for o in range(out):
        start = o * stride - pad_before
        windows.append((max(start, 0), min(start + pool, extent)))
    return windows


def output_shape(input_shape, pool, strides, padding):
    batch, height, width, channels = input_shape
    return (
        batch,
        len(axis_windows(height, pool[0], strides[0], padding)),
        len(axis_windows(width, pool[1], strides[1], padding)),
        channels,
    )


def _windows(input_shape, pool, strides, padding):
    """Yields (oh, ow, [(h, w), ...] in row-major order) for every window."""
    _, height, width, _ = input_shape
    for oh, (h0, h1) in enumerate(axis_windows(height, pool[0], strides[0], padding)):
        for ow, (w0, w1) in enumerate(axis_windows(width, pool[1], strides[1], padding)):
            yield oh, ow, [(h, w) for h in range(h0, h1) for w in range(w0, w1)]


def _first_maximum(values):
    """Index along axis 1 of the maximum by TensorFlow's rule: scanning in order, an
    element replaces the running maximum only if it compares greater (first maximum
    wins ties; a NaN is never taken unless it comes first)."""
    best = values[:, 0].copy()
    at = np.zeros(best.shape, dtype=np.int64)
    for i in range(1, values.shape[1]):
        take = values[:, i] > best
        best = np.where(take, values[:, i], best)
        at = np.where(take, i, at)
    return at


def max_pool2d(x, pool, strides, padding):
    """Returns (y, indices): the first maximum of each window and its position h * width + w."""
    x = np.asarray(x, dtype=np.float64)
    batch, height, width, channels = x.shape
    shape = output_shape(x.shape, pool, strides, padding)
    y = np.empty(shape)
    indices = np.empty(shape, dtype=np.int64)
    for oh, ow, positions in _windows(x.shape, pool, strides, padding):
        values = np.stack([x[:, h, w, :] for h, w in positions], axis=1)  # (batch, window, channels)
        first = _first_maximum(values)
        y[:, oh, ow, :] = np.take_along_axis(values, first[:, None, :], axis=1)[:, 0, :]
        flat = np.array([h * width + w for h, w in positions])
        indices[:, oh, ow, :] = flat[first]
    return y, indices


def max_pool2d_backward(dy, indices, input_shape):
    """dx: each dy added to the element its index names."""
    dy = np.asarray(dy, dtype=np.float64)
    width = input_shape[2]
    dx = np.zeros(input_shape)
    n, _, _, c = np.indices(dy.shape)
    np.add.at(dx, (n, indices // width, indices % width, c), dy)
    return dx


def avg_pool2d(x, pool, strides, padding):
    """The mean of each window's input elements."""
    x = np.asarray(x, dtype=np.float64)
    y = np.empty(output_shape(x.shape, pool, strides, padding))
    for oh, ow, positions in _windows(x.shape, pool, strides, padding):
        y[:, oh, ow, :] = sum(x[:, h, w, :] for h, w in positions) / len(positions)
    return y


def avg_pool2d_backward(dy, input_shape, pool, strides, padding):
    """dx: each dy spread evenly over its window's input elements."""
    dy = np.asarray(dy, dtype=np.float64)
    dx = np.zeros(input_shape)
    for oh, ow, positions in _windows(input_shape, pool, strides, padding):
        for h, w in positions:
            dx[:, h, w, :] += dy[:, oh, ow, :] / len(positions)
    return dx


def window_sizes(input_shape, pool, strides, padding):
    """(out_h, out_w) array of the number of input elements in each window."""
    _, height, width, _ = input_shape
    rows = [h1 - h0 for h0, h1 in axis_windows(height, pool[0], strides[0], padding)]
    cols = [w1 - w0 for w0, w1 in axis_windows(width, pool[1], strides[1], padding)]
    return np.outer(rows, cols)


def global_max_pool2d(x):
    """Returns (y, indices) over height and width, by the same rule as max_pool2d."""
    x = np.asarray(x, dtype=np.float64)
    batch, height, width, channels = x.shape
    values = x.reshape(batch, height * width, channels)
    first = _first_maximum(values)
    return np.take_along_axis(values, first[:, None, :], axis=1)[:, 0, :], first


def global_max_pool2d_backward(dy, indices, input_shape):
    batch, height, width, channels = input_shape
    dx = np.zeros((batch, height * width, channels))
    for n in range(batch):
        for c in range(channels):
            dx[n, indices[n, c], c] = dy[n, c]
    return dx.reshape(input_shape)


def global_avg_pool2d(x):
    return np.asarray(x, dtype=np.float64).mean(axis=(1, 2))


def global_avg_pool2d_backward(dy, input_shape):
    batch, height, width, channels = input_shape
    dy = np.asarray(dy, dtype=np.float64)
    return np.broadcast_to(dy[:, None, None, :] / (height * width), input_shape).copy()


UNIT = 2.0**-24  # float32 unit roundoff


def sum_error_bound(terms, magnitude):
    """Bound on float32 rounding of a sum of `terms` values of size `magnitude`, then one division.

    Sequential float32 summation errs by at most (terms - 1) * u * sum |x_i|;
    the division and the float64 reference add a few units. Doubling leaves room
    and stays far below any missing or misplaced term.
    """
    return 2.0 * (terms + 2) * UNIT * magnitude + np.finfo(np.float32).tiny
