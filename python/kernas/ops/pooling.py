"""2D pooling kernels over channels-last (NHWC) float32 inputs, forward and backward.

Windows follow TensorFlow/Keras: ``strides`` defaults to ``pool_size``;
``padding="valid"`` gives ``floor((in - pool) / stride) + 1`` outputs per axis
and ``padding="same"`` gives ``ceil(in / stride)``, padding
``max((out - 1) * stride + pool - in, 0)`` positions of which half (rounded
down) go before the input. Padded positions take no part: max pooling ignores
them and average pooling divides by the number of input elements in the
window.

Max pooling follows TensorFlow's rule: scanning a window row by row, an
element replaces the running maximum only if it compares greater. Ties go to
the earliest position, ``-inf`` is an ordinary value, and a NaN is never taken
unless it is the window's first element, which then stays the maximum (so NaN
does not always propagate; PyTorch instead lets any NaN win). Average pooling
multiplies each window's sum by 1 / count (within an ulp of the division).
The forward can return the arg-max positions
(``h * width + w`` within the image, int32, like PyTorch's ``return_indices``),
and the backward routes each gradient to them. The backward is gathered per
input element in window order: overlapping windows accumulate without races and
the result is bitwise identical for any thread count.

Every function takes ``out=`` (and ``out_indices=``) to write into arrays the
caller keeps: a fresh multi-megabyte result costs a page fault per 4 KiB page
when first written, which can take longer than the pooling itself.
"""

import operator

import numpy as np

from kernas import _core
from kernas.ops._checks import as_float32, check_extents, new_array, padding_name

_INT32 = np.dtype(np.int32)


def _positive_pair(value, name):
    """``value`` as two positive ints: an int means the same on both axes, as in Keras."""
    items = value if isinstance(value, (tuple, list)) else (value,) * 2
    if len(items) != 2:
        raise ValueError(f"Expected `{name}` to be an int or a tuple of 2 ints. Received: {name}={value!r}.")
    pair = []
    for item in items:
        if isinstance(item, bool) or not hasattr(item, "__index__"):
            raise TypeError(f"Expected `{name}` to be an int or a tuple of 2 ints. Received: {name}={value!r}.")
        item = operator.index(item)
        if item <= 0:
            raise ValueError(f"Expected `{name}` to hold positive integers. Received: {name}={value!r}.")
        pair.append(item)
    return check_extents(tuple(pair), name, value)


def _window(pool_size, strides, padding):
    pool = _positive_pair(pool_size, "pool_size")
    stride = pool if strides is None else _positive_pair(strides, "strides")
    return pool, stride, padding_name(padding)


def _axis_size(extent, pool, stride, padding, axis):
    if extent is None:
        return None
    if padding == "same":
        return -(-extent // stride)
    if pool > extent:
        raise ValueError(
            f"Expected the pool's {axis} ({pool}) to be at most the input's {axis} ({extent}) with padding='valid'. "
            f"Received: pool_size[{0 if axis == 'height' else 1}]={pool} for an input {axis} of {extent}. "
            "Use a smaller pool_size or padding='same'."
        )
    return (extent - pool) // stride + 1


def _input_shape(input_shape, name="input_shape", allow_none=False):
    """A 4-tuple (batch, height, width, channels): height and width positive, the rest non-negative."""
    if not isinstance(input_shape, (tuple, list)) or len(input_shape) != 4:
        raise ValueError(
            f"Expected `{name}` to be a 4-tuple (batch, height, width, channels), channels last. "
            f"Received: {name}={input_shape!r}."
        )
    shape = []
    for axis, extent in zip(("batch", "height", "width", "channels"), input_shape):
        if extent is None and allow_none:
            shape.append(None)
            continue
        if isinstance(extent, bool) or not hasattr(extent, "__index__"):
            raise TypeError(f"Expected `{name}` to hold integers. Received: {name}={input_shape!r}.")
        extent = operator.index(extent)
        least = 1 if axis in ("height", "width") else 0
        if extent < least:
            raise ValueError(
                f"Expected the {axis} in `{name}` to be at least {least}. Received: {name}={tuple(input_shape)!r}."
            )
        shape.append(extent)
    check_extents([extent for extent in shape if extent is not None], name, tuple(input_shape))
    return tuple(shape)


def _output_shape(shape, pool, stride, padding):
    batch, height, width, channels = shape
    return (
        batch,
        _axis_size(height, pool[0], stride[0], padding, "height"),
        _axis_size(width, pool[1], stride[1], padding, "width"),
        channels,
    )


def pool2d_output_shape(input_shape, pool_size, strides=None, padding="valid"):
    """Returns the NHWC output shape of a 2D pooling.

    Args:
        input_shape: ``(batch, height, width, channels)``; any entry may be
            ``None`` (unknown), which stays ``None`` in the result.
        pool_size: int or ``(pool_height, pool_width)``.
        strides: int, ``(stride_height, stride_width)``, or ``None`` for ``pool_size``.
        padding: ``"valid"`` or ``"same"`` (case-insensitive).

    Returns:
        ``(batch, out_height, out_width, channels)`` as a tuple.

    Example:
        >>> pool2d_output_shape((8, 7, 7, 3), 2, padding="same")
        (8, 4, 4, 3)
    """
    pool, stride, padding = _window(pool_size, strides, padding)
    return _output_shape(_input_shape(input_shape, allow_none=True), pool, stride, padding)


def _pooled_input(x, pool_size, strides, padding):
    x = as_float32(x, "x", 4)
    pool, stride, padding = _window(pool_size, strides, padding)
    shape = _output_shape(_input_shape(x.shape, "x.shape"), pool, stride, padding)
    return x, pool, stride, padding, shape


def _gradient(dy, expected_shape, what):
    dy = as_float32(dy, "dy")
    if dy.shape != tuple(expected_shape):
        raise ValueError(
            f"Expected `dy` to have the {what} shape {tuple(expected_shape)}. Received: dy.shape={dy.shape}. "
            "Pass the gradient of the forward's output and the forward's input shape and arguments."
        )
    return dy


def _output(out, shape, dtype, name):
    """A new array for a result, or the caller's `out` after checking its shape and dtype."""
    if out is None:
        return new_array(shape, name, dtype)
    if type(out) is not np.ndarray:
        raise TypeError(
            f"Expected `{name}` to be a NumPy array or None. Received: {name} of type {type(out).__name__}."
        )
    if out.shape != tuple(shape) or out.dtype != dtype or not out.flags.c_contiguous or not out.flags.writeable:
        raise ValueError(
            f"Expected `{name}` to be a writeable C-contiguous {np.dtype(dtype).name} array of shape {tuple(shape)}. "
            f"Received: {name}.shape={out.shape}, dtype={out.dtype}. Pass None to have it allocated."
        )
    return out


def _indices(indices, expected_shape):
    indices = np.asarray(indices)
    if indices.dtype.kind not in "iu":
        raise TypeError(
            f"Expected `indices` to hold integers (the forward's return_indices=True output). "
            f"Received: indices.dtype={indices.dtype}."
        )
    if indices.shape != tuple(expected_shape):
        raise ValueError(
            f"Expected `indices` to have the pooled shape {tuple(expected_shape)}. "
            f"Received: indices.shape={indices.shape}."
        )
    if indices.dtype != _INT32 and indices.size and (indices.min() < 0 or indices.max() > np.iinfo(np.int32).max):
        raise ValueError(
            "Expected `indices` to be positions h * width + w within the image, as the forward returns them. "
            f"Received values from {indices.min()} to {indices.max()}."
        )
    return np.ascontiguousarray(indices, dtype=np.int32)


def max_pool2d_forward(x, pool_size, strides=None, padding="valid", return_indices=False, out=None, out_indices=None):
    """Max pooling of NHWC ``x``: the first maximum of each window (TensorFlow's rule).

    Args:
        x: ``(batch, height, width, channels)`` array.
        pool_size: int or ``(pool_height, pool_width)``.
        strides: int, ``(stride_height, stride_width)``, or ``None`` for ``pool_size``.
        padding: ``"valid"`` or ``"same"`` (case-insensitive).
        return_indices: also return the arg-max of each output, for ``max_pool2d_backward``.
        out: optional float32 array of the output shape to write ``y`` into
            (a layer reusing its buffers saves the page faults of a fresh array).
        out_indices: optional int32 array of the output shape for the indices.

    Returns:
        float32 ``y`` of shape ``pool2d_output_shape(x.shape, ...)``, or
        ``(y, indices)`` with int32 ``indices`` of the same shape holding the
        position ``h * width + w`` of each maximum within its image.

    Example:
        >>> y, indices = max_pool2d_forward(x, 2, return_indices=True)
        >>> dx = max_pool2d_backward(dy, indices, x.shape, 2)
    """
    x, pool, stride, padding, shape = _pooled_input(x, pool_size, strides, padding)
    y = _output(out, shape, np.float32, "out")
    indices = _output(out_indices, shape, np.int32, "out_indices") if return_indices else None
    _core.max_pool2d_forward(x, pool, stride, padding, y, indices)
    return (y, indices) if return_indices else y


def max_pool2d_backward(dy, indices, input_shape, pool_size, strides=None, padding="valid", out=None):
    """Gradient of max pooling: each ``dy`` goes to its window's arg-max.

    Args:
        dy: gradient of the pooled output, ``pool2d_output_shape(input_shape, ...)``.
        indices: the ``indices`` that ``max_pool2d_forward(..., return_indices=True)`` returned.
        input_shape: shape of the forward's ``x``.
        pool_size, strides, padding: the forward's arguments.
        out: optional float32 array of ``input_shape`` to write ``dx`` into.

    Returns:
        float32 ``dx`` of ``input_shape``; where windows overlap, the gradients
        of every window whose maximum this element is are summed.
    """
    pool, stride, padding = _window(pool_size, strides, padding)
    shape = _input_shape(input_shape)
    pooled = _output_shape(shape, pool, stride, padding)
    dy = _gradient(dy, pooled, "pooled")
    indices = _indices(indices, pooled)
    dx = _output(out, shape, np.float32, "out")
    _core.max_pool2d_backward(dy, indices, dx, pool, stride, padding)
    return dx


def avg_pool2d_forward(x, pool_size, strides=None, padding="valid", out=None):
    """Average pooling of NHWC ``x``; padded positions are not counted.

    Args:
        x: ``(batch, height, width, channels)`` array.
        pool_size: int or ``(pool_height, pool_width)``.
        strides: int, ``(stride_height, stride_width)``, or ``None`` for ``pool_size``.
        padding: ``"valid"`` or ``"same"`` (case-insensitive).
        out: optional float32 array of the output shape to write ``y`` into.

    Returns:
        float32 ``y`` of shape ``pool2d_output_shape(x.shape, ...)``: each
        window's sum (row by row) divided by its number of input elements.

    Example:
        >>> x = np.arange(9.0).reshape(1, 3, 3, 1)
        >>> avg_pool2d_forward(x, 2, strides=1, padding="same")[0, :, :, 0].tolist()
        [[2.0, 3.0, 3.5], [5.0, 6.0, 6.5], [6.5, 7.5, 8.0]]
    """
    x, pool, stride, padding, shape = _pooled_input(x, pool_size, strides, padding)
    y = _output(out, shape, np.float32, "out")
    _core.avg_pool2d_forward(x, pool, stride, padding, y)
    return y


def avg_pool2d_backward(dy, input_shape, pool_size, strides=None, padding="valid", out=None):
    """Gradient of average pooling: each ``dy`` spread evenly over its window's input elements.

    Args:
        dy: gradient of the pooled output, ``pool2d_output_shape(input_shape, ...)``.
        input_shape: shape of the forward's ``x``.
        pool_size, strides, padding: the forward's arguments.
        out: optional float32 array of ``input_shape`` to write ``dx`` into.

    Returns:
        float32 ``dx`` of ``input_shape``: for each element, the sum over the
        windows holding it of ``dy * (1 / count)``, in window order.
    """
    pool, stride, padding = _window(pool_size, strides, padding)
    shape = _input_shape(input_shape)
    dy = _gradient(dy, _output_shape(shape, pool, stride, padding), "pooled")
    dx = _output(out, shape, np.float32, "out")
    _core.avg_pool2d_backward(dy, dx, pool, stride, padding)
    return dx


def _global_input(x):
    x = as_float32(x, "x", 4)
    _input_shape(x.shape, "x.shape")
    return x


def global_avg_pool2d_forward(x, out=None):
    """Mean over height and width of NHWC ``x``.

    Args:
        x: ``(batch, height, width, channels)`` array.
        out: optional float32 ``(batch, channels)`` array to write into.

    Returns:
        float32 ``(batch, channels)``: the sum over positions (row by row)
        divided by ``height * width``.

    Example:
        >>> global_avg_pool2d_forward(np.ones((2, 5, 5, 3))).shape
        (2, 3)
    """
    x = _global_input(x)
    y = _output(out, (x.shape[0], x.shape[3]), np.float32, "out")
    _core.global_avg_pool2d_forward(x, y)
    return y


def global_avg_pool2d_backward(dy, input_shape, out=None):
    """Gradient of global average pooling: ``dy / (height * width)`` at every position.

    Args:
        dy: ``(batch, channels)`` gradient of the pooled output.
        input_shape: shape of the forward's ``x``.
        out: optional float32 array of ``input_shape`` to write ``dx`` into.

    Returns:
        float32 ``dx`` of ``input_shape``.
    """
    shape = _input_shape(input_shape)
    dy = _gradient(dy, (shape[0], shape[3]), "(batch, channels)")
    dx = _output(out, shape, np.float32, "out")
    _core.global_avg_pool2d_backward(dy, dx)
    return dx


def global_max_pool2d_forward(x, return_indices=False, out=None, out_indices=None):
    """Max over height and width of NHWC ``x``: the first maximum (TensorFlow's rule).

    Args:
        x: ``(batch, height, width, channels)`` array.
        return_indices: also return the arg-max, for ``global_max_pool2d_backward``.
        out: optional float32 ``(batch, channels)`` array to write ``y`` into.
        out_indices: optional int32 ``(batch, channels)`` array for the indices.

    Returns:
        float32 ``(batch, channels)``, or ``(y, indices)`` with int32 positions
        ``h * width + w`` of each maximum.

    Example:
        >>> y, indices = global_max_pool2d_forward(x, return_indices=True)
        >>> dx = global_max_pool2d_backward(dy, indices, x.shape)
    """
    x = _global_input(x)
    shape = (x.shape[0], x.shape[3])
    y = _output(out, shape, np.float32, "out")
    indices = _output(out_indices, shape, np.int32, "out_indices") if return_indices else None
    _core.global_max_pool2d_forward(x, y, indices)
    return (y, indices) if return_indices else y


def global_max_pool2d_backward(dy, indices, input_shape, out=None):
    """Gradient of global max pooling: each ``dy`` goes to the first maximum of its channel.

    Args:
        dy: ``(batch, channels)`` gradient of the pooled output.
        indices: the ``indices`` that ``global_max_pool2d_forward(..., return_indices=True)`` returned.
        input_shape: shape of the forward's ``x``.
        out: optional float32 array of ``input_shape`` to write ``dx`` into.

    Returns:
        float32 ``dx`` of ``input_shape``, zero except at each arg-max.
    """
    shape = _input_shape(input_shape)
    pooled = (shape[0], shape[3])
    dy = _gradient(dy, pooled, "(batch, channels)")
    indices = _indices(indices, pooled)
    dx = _output(out, shape, np.float32, "out")
    _core.global_max_pool2d_backward(dy, indices, dx)
    return dx
