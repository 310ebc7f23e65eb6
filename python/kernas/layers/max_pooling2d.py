"""MaxPooling2D: the maximum over windows of channels-last images."""

from kernas.layers._pooling2d import Pooling2D
from kernas.ops.pooling import max_pool2d_backward, max_pool2d_forward


class MaxPooling2D(Pooling2D):
    """Max pooling over 2D windows of ``(batch, height, width, channels)`` inputs.

    Each window's first maximum (TensorFlow's rule on ties) is taken; the
    gradient flows back to it. ``padding="valid"`` gives
    ``floor((size - pool) / stride) + 1`` outputs per axis, ``"same"`` gives
    ``ceil(size / stride)`` (padded positions never win).

    Args:
        pool_size: int or tuple of 2 ints, the window size (default ``(2, 2)``).
        strides: int, tuple of 2 ints, or ``None`` for ``pool_size``.
        padding: ``"valid"`` or ``"same"`` (any case).
        data_format: ``None`` or ``"channels_last"`` (kernas computes NHWC only).
        name: the layer's name.
        **kwargs: base layer arguments.

    Input shape:
        4D ``(batch, height, width, channels)``.

    Output shape:
        4D ``(batch, pooled_height, pooled_width, channels)``.

    Example:
        >>> MaxPooling2D()(np.ones((1, 5, 5, 3), np.float32)).shape
        (1, 2, 2, 3)
    """

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None, name=None, **kwargs):
        super().__init__(pool_size, strides=strides, padding=padding, data_format=data_format, name=name, **kwargs)

    def forward(self, inputs, training=False):
        self._check_input(inputs)
        outputs, indices = max_pool2d_forward(inputs, self.pool_size, self.strides, self.padding,
                                              return_indices=True)
        return outputs, (indices, inputs.shape)

    def backward(self, saved, grad_output, need_input_grad=True):
        if not need_input_grad:
            return None, []
        indices, shape = saved
        return max_pool2d_backward(grad_output, indices, shape, self.pool_size, self.strides, self.padding), []
