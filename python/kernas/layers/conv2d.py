"""Conv2D: 2D convolution over channels-last images, bias and activation fused into the kernel."""

from kernas import regularizers
from kernas.layers import _arguments
from kernas.layers._image_layer import ImageLayer
from kernas.layers._kernel_layer import KernelLayer
from kernas.ops.conv import conv2d_backward, conv2d_forward


def conv_output_length(length, kernel, stride, padding, dilation):
    """One spatial output size by Keras's rules; ``None`` stays ``None``, a size below 1 is returned as is."""
    if length is None:
        return None
    if padding == "same":
        return -(-length // stride)
    return (length - ((kernel - 1) * dilation + 1)) // stride + 1


class Conv2D(KernelLayer, ImageLayer):
    """2D convolution layer: ``activation(conv2d(inputs, kernel) + bias)``.

    Images are channels-last ``(batch, height, width, channels)`` and the
    kernel is ``(kernel_h, kernel_w, in_channels, filters)``, as in Keras.
    ``padding="same"`` pads as TensorFlow does (the extra row/column after).

    Args:
        filters: positive int, the number of output channels.
        kernel_size: int or tuple of 2 ints.
        strides: int or tuple of 2 ints; above 1 only with ``dilation_rate`` 1.
        padding: ``"valid"`` or ``"same"`` (any case).
        data_format: ``None`` or ``"channels_last"`` (kernas computes NHWC only).
        dilation_rate: int or tuple of 2 ints.
        groups: must be 1 (kernas has no grouped convolution).
        activation: a ``kernas.activations`` name or function; ``None`` is linear.
        use_bias: whether to add a bias per filter.
        kernel_initializer, bias_initializer: initializers of the kernel and bias.
        kernel_regularizer, bias_regularizer, activity_regularizer: optional regularizers.
        kernel_constraint, bias_constraint, lora_rank, lora_alpha: not
            supported by kernas; must be ``None``.
        **kwargs: base layer arguments (``name``, ``trainable``, ``dtype``, ``input_shape``).

    Input shape:
        4D ``(batch, height, width, channels)``.

    Output shape:
        4D ``(batch, new_height, new_width, filters)``.

    Example:
        >>> layer = Conv2D(8, 3, padding="same", activation="relu")
        >>> layer(np.ones((2, 28, 28, 1), np.float32)).shape
        (2, 28, 28, 8)
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None, dilation_rate=(1, 1),
                 groups=1, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, lora_rank=None, lora_alpha=None, **kwargs):
        super().__init__(activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
                         bias_regularizer, activity_regularizer, **kwargs)
        _arguments.unsupported("Conv2D", kernel_constraint=kernel_constraint, bias_constraint=bias_constraint,
                               lora_rank=lora_rank, lora_alpha=lora_alpha)
        self.filters = _arguments.positive_int(filters, "filters")
        self.kernel_size = _arguments.int_tuple(kernel_size, 2, "kernel_size")
        self.strides = _arguments.int_tuple(strides, 2, "strides")
        self.dilation_rate = _arguments.int_tuple(dilation_rate, 2, "dilation_rate")
        self.padding = _arguments.padding(padding)
        self.data_format = _arguments.data_format(data_format)
        if isinstance(groups, bool) or not isinstance(groups, int) or groups <= 0:
            raise ValueError(f"The number of groups must be a positive integer. Received: groups={groups}.")
        if groups != 1:
            raise ValueError(
                f"kernas's Conv2D does not support grouped convolution. Received: groups={groups}. "
                "Use groups=1 (or one Conv2D per group)."
            )
        self.groups = groups
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(
                "`strides > 1` not supported in conjunction with `dilation_rate > 1`. "
                f"Received: strides={self.strides} and dilation_rate={self.dilation_rate}"
            )
        self._input_channels = None

    def build(self, input_shape):
        self._check_image_shape(input_shape)
        channels = input_shape[-1]
        if channels is None:
            raise ValueError(
                f"Expected the channel dimension of the inputs of Conv2D layer \"{self.name}\" to be defined. "
                f"Received: input_shape={tuple(input_shape)}."
            )
        self.compute_output_shape(input_shape)
        self._input_channels = channels
        self.add_kernel_and_bias(self.kernel_size + (channels, self.filters))
        self.built = True

    def compute_output_shape(self, input_shape):
        self._check_image_shape(input_shape)
        spatial = tuple(
            conv_output_length(length, k, s, self.padding, d)
            for length, k, s, d in zip(input_shape[1:3], self.kernel_size, self.strides, self.dilation_rate)
        )
        if any(size is not None and size <= 0 for size in spatial):
            raise ValueError(
                "Computed output size would be zero or negative. Received "
                f"`inputs shape={tuple(input_shape)}`, `kernel shape={self.kernel_size}`, "
                f"`dilation_rate={self.dilation_rate}`, `strides={self.strides}`, `padding={self.padding}`. "
                "Use padding='same', a smaller kernel_size or larger inputs."
            )
        return (input_shape[0],) + spatial + (self.filters,)

    def forward(self, inputs, training=False, logits=False):
        """Returns ``(outputs, saved)``; with ``logits`` the outputs are taken before the activation."""
        if inputs.ndim != 4 or inputs.shape[3] != self._input_channels:
            raise _arguments.incompatible_input(
                self, f"expected ndim=4 and axis -1 of input shape to have value {self._input_channels}",
                inputs.shape)
        kernel = self.kernel.value
        bias = self.bias.value if self.use_bias else None
        strides, padding, dilation = self.strides, self.padding, self.dilation_rate
        outputs, kept = self._activation.forward(
            lambda spec: conv2d_forward(inputs, kernel, bias, strides, padding, dilation, spec), logits
        )
        return outputs, (inputs, kept)

    def backward(self, saved, grad_output, need_input_grad=True):
        inputs, kept = saved
        if kept is not None and self._activation.fused:
            # `kept` is y, and the kernel applies the activation's gradient from it tile by tile.
            dx, dkernel, dbias = conv2d_backward(inputs, self.kernel.value, grad_output, self.strides, self.padding,
                                                 self.dilation_rate, need_dx=need_input_grad, need_bias=self.use_bias,
                                                 activation=self._activation.spec, y=kept)
        else:
            grad = self._activation.backward(grad_output, kept)
            dx, dkernel, dbias = conv2d_backward(inputs, self.kernel.value, grad, self.strides, self.padding,
                                                 self.dilation_rate, need_dx=need_input_grad, need_bias=self.use_bias)
        return dx, self.weight_gradients(dkernel, dbias)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "filters": self.filters,
                "kernel_size": self.kernel_size,
                "strides": self.strides,
                "padding": self.padding,
                "data_format": self.data_format,
                "dilation_rate": self.dilation_rate,
                "groups": self.groups,
                **self.kernel_config(),
                "activity_regularizer": regularizers.serialize(self.activity_regularizer),
                "kernel_constraint": None,
                "bias_constraint": None,
            }
        )
        return config
