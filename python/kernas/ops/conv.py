"""Conv2D kernels in Keras's layouts: NHWC inputs, HWIO kernels, NHWC outputs."""

import operator

import numpy as np

from kernas import _core
from kernas.ops._checks import as_float32, caller_output, check_extents, new_array, padding_name
from kernas.ops.activation_spec import activation_spec

_AXES = ("height", "width")


def _pair(value, name):
    """``value`` as a tuple of two integers >= 1; an int stands for both axes."""
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"Expected `{name}` to be an integer or a tuple of 2 integers. Received: {name}={value!r}.")
    if hasattr(value, "__index__"):
        value = (value, value)
    try:
        pair = tuple(value)
    except TypeError:
        raise TypeError(
            f"Expected `{name}` to be an integer or a tuple of 2 integers. Received: {name}={value!r}."
        ) from None
    if len(pair) != 2 or any(isinstance(v, (bool, np.bool_)) or not hasattr(v, "__index__") for v in pair):
        raise TypeError(f"Expected `{name}` to be an integer or a tuple of 2 integers. Received: {name}={value!r}.")
    pair = tuple(operator.index(v) for v in pair)
    if min(pair) < 1:
        raise ValueError(f"Expected every value of `{name}` to be at least 1. Received: {name}={pair}.")
    return check_extents(pair, name, value)


def _hyperparameters(strides, padding, dilation_rate):
    strides = _pair(strides, "strides")
    dilation_rate = _pair(dilation_rate, "dilation_rate")
    if max(strides) > 1 and max(dilation_rate) > 1:
        raise ValueError(
            "Expected `strides` of 1 when `dilation_rate` is above 1 (Keras does not support both). "
            f"Received: strides={strides}, dilation_rate={dilation_rate}."
        )
    return strides, padding_name(padding), dilation_rate


def _output_shape(input_shape, kernel_shape, strides, padding, dilation_rate):
    """The output shape for checked hyperparameters; validates the two shapes."""
    batch, *spatial, channels = input_shape
    *kernel_spatial, kernel_channels, filters = kernel_shape
    if min(input_shape[1:]) < 1:
        raise ValueError(
            f"Expected an input with at least 1 row, column and channel. Received: x.shape={tuple(input_shape)}."
        )
    if min(kernel_shape) < 1:
        raise ValueError(
            f"Expected every dimension of `kernel` to be at least 1. Received: kernel.shape={tuple(kernel_shape)}."
        )
    if kernel_channels != channels:
        raise ValueError(
            f"Expected the kernel's input channels (kernel.shape[2]={kernel_channels}) to equal the input's channels "
            f"(x.shape[3]={channels}): a Conv2D kernel has shape (kernel_h, kernel_w, in_channels, filters). "
            f"Received: x.shape={tuple(input_shape)}, kernel.shape={tuple(kernel_shape)}."
        )
    out = []
    for axis, size, k, stride, dilation in zip(_AXES, spatial, kernel_spatial, strides, dilation_rate):
        if padding == "same":
            out.append(-(-size // stride))
            continue
        span = (k - 1) * dilation + 1
        if size < span:
            raise ValueError(
                f"Expected the input {axis} ({size}) to be at least the dilated kernel {axis} "
                f"(kernel {k} with dilation {dilation} spans {span}) with padding='valid', so that the output {axis} "
                f"is at least 1. Received: x.shape={tuple(input_shape)}, kernel.shape={tuple(kernel_shape)}, "
                f"dilation_rate={tuple(dilation_rate)}. Use padding='same', a smaller kernel or a larger input."
            )
        out.append((size - span) // stride + 1)
    return (batch, out[0], out[1], filters)


def conv2d_output_shape(input_shape, kernel_shape, strides=(1, 1), padding="valid", dilation_rate=(1, 1)):
    """Returns the NHWC output shape of a Conv2D, by Keras's rules.

    ``'valid'`` gives ``floor((in - span) / stride) + 1`` per axis, with
    ``span = (kernel - 1) * dilation + 1``; ``'same'`` gives
    ``ceil(in / stride)``, padding the input by
    ``max((out - 1) * stride + span - in, 0)``, half before (rounded down) and
    the rest after, as TensorFlow does.

    Args:
        input_shape: ``(batch, height, width, in_channels)``.
        kernel_shape: ``(kernel_h, kernel_w, in_channels, filters)``.
        strides: an int or a pair of ints >= 1.
        padding: ``"valid"`` or ``"same"``, any case.
        dilation_rate: an int or a pair of ints >= 1; above 1 only with strides 1.

    Returns:
        ``(batch, out_height, out_width, filters)``.

    Example:
        >>> conv2d_output_shape((128, 28, 28, 1), (3, 3, 1, 32))
        (128, 26, 26, 32)
    """
    input_shape, kernel_shape = tuple(input_shape), tuple(kernel_shape)
    for name, shape in (("input_shape", input_shape), ("kernel_shape", kernel_shape)):
        if len(shape) != 4:
            raise ValueError(f"Expected `{name}` to have 4 dimensions. Received: {name}={shape}.")
    strides, padding, dilation_rate = _hyperparameters(strides, padding, dilation_rate)
    return _output_shape(input_shape, kernel_shape, strides, padding, dilation_rate)


def conv2d_forward(
    x, kernel, bias=None, strides=(1, 1), padding="valid", dilation_rate=(1, 1), activation="linear", out=None
):
    """Returns ``activation(conv2d(x, kernel) + bias)``, bias and activation fused.

    Args:
        x: ``(batch, height, width, in_channels)`` inputs.
        kernel: ``(kernel_h, kernel_w, in_channels, filters)`` weights (Keras's layout).
        bias: ``(filters,)`` or ``None``.
        strides: an int or a pair of ints >= 1.
        padding: ``"valid"`` or ``"same"`` (any case), with Keras's rules.
        dilation_rate: an int or a pair of ints >= 1; above 1 only with strides 1.
        activation: an activation name or ``activation_spec(...)``; softmax
            runs over each pixel's channels.
        out: optional float32 array of the output shape to write into.

    Returns:
        The ``(batch, out_height, out_width, filters)`` float32 result.

    Example:
        >>> x = np.ones((1, 5, 5, 1), np.float32)
        >>> conv2d_forward(x, np.ones((3, 3, 1, 2), np.float32), padding="same")[0, 0, 0]
        array([4., 4.], dtype=float32)
    """
    x = as_float32(x, "x", 4)
    kernel = as_float32(kernel, "kernel", 4)
    strides, padding, dilation_rate = _hyperparameters(strides, padding, dilation_rate)
    shape = _output_shape(x.shape, kernel.shape, strides, padding, dilation_rate)
    if bias is not None:
        bias = as_float32(bias, "bias", 1)
        if bias.shape != (kernel.shape[3],):
            raise ValueError(
                f"Expected `bias` to have shape ({kernel.shape[3]},), one value per filter. "
                f"Received: bias.shape={bias.shape}."
            )
    spec = activation_spec(activation)
    if caller_output(out, "out") is None:
        out = new_array(shape, "y")
    _core.conv2d_forward(x, kernel, bias, strides, padding, dilation_rate, spec, out)
    return out


def conv2d_backward(x, kernel, dz, strides=(1, 1), padding="valid", dilation_rate=(1, 1), need_dx=True, need_bias=True,
                    activation="linear", y=None):
    """Gradients of ``activation(conv2d(x, kernel) + bias)``.

    With the linear activation (the default) ``dz`` is the gradient at
    ``conv2d(x, kernel) + bias``. With another activation ``dz`` is the
    gradient at the output ``y``, and the kernel applies the activation's
    derivative from ``y`` tile by tile (no separate pass over the output);
    the results are bitwise those of ``activation_backward`` followed by a
    linear call. Only activations whose gradient is computed from their
    output qualify (``relu``, ``leaky_relu`` with a non-negative slope,
    ``sigmoid``, ``tanh``, ``softmax`` ...: ``backward_needs_input`` false).

    Args:
        x: ``(batch, height, width, in_channels)`` forward inputs.
        kernel: ``(kernel_h, kernel_w, in_channels, filters)`` weights.
        dz: gradient of the loss at ``conv2d(x, kernel) + bias``, or at ``y``
            with a non-linear ``activation``; of the output's shape.
        strides, padding, dilation_rate: as given to :func:`conv2d_forward`.
        need_dx: whether to compute the input gradient (a first layer does not need it).
        need_bias: whether to compute the bias gradient.
        activation: the forward's activation name or ``activation_spec(...)``.
        y: the forward output, required with a non-linear ``activation``.

    Returns:
        ``(dx, dkernel, dbias)`` shaped like ``x``, ``kernel`` and ``(filters,)``;
        ``dx`` / ``dbias`` are ``None`` when not asked for.

    Example:
        >>> x = np.ones((1, 4, 4, 1), np.float32)
        >>> dz = np.ones((1, 2, 2, 1), np.float32)
        >>> conv2d_backward(x, np.ones((3, 3, 1, 1), np.float32), dz)[1][:, :, 0, 0]
        array([[4., 4., 4.],
               [4., 4., 4.],
               [4., 4., 4.]], dtype=float32)
    """
    x = as_float32(x, "x", 4)
    kernel = as_float32(kernel, "kernel", 4)
    dz = as_float32(dz, "dz", 4)
    strides, padding, dilation_rate = _hyperparameters(strides, padding, dilation_rate)
    shape = _output_shape(x.shape, kernel.shape, strides, padding, dilation_rate)
    if dz.shape != shape:
        raise ValueError(f"Expected `dz` to have the output's shape {shape}. Received: dz.shape={dz.shape}.")
    spec = activation_spec(activation)
    if spec.name != "linear":
        if spec.backward_needs_input:
            raise ValueError(
                f"Expected an activation whose gradient is computed from its output. Received: "
                f"activation={spec.name!r}, whose gradient needs its input. Apply "
                "kernas.ops.activations.activation_backward first and pass its result as `dz`."
            )
        if y is None:
            raise ValueError(f"Expected `y`, the forward output, with activation={spec.name!r}. Received: y=None.")
        y = as_float32(y, "y", 4)
        if y.shape != shape:
            raise ValueError(f"Expected `y` to have the output's shape {shape}. Received: y.shape={y.shape}.")
    dx = np.empty(x.shape, dtype=np.float32) if need_dx else None
    dkernel = np.empty(kernel.shape, dtype=np.float32)
    dbias = np.empty((kernel.shape[3],), dtype=np.float32) if need_bias else None
    _core.conv2d_backward(x, kernel, dz, strides, padding, dilation_rate, dx, dkernel, dbias, spec, y)
    return dx, dkernel, dbias
