"""AveragePooling2D: the mean over windows of channels-last images."""

from kernas.layers._pooling2d import Pooling2D
from kernas.ops.pooling import avg_pool2d_backward, avg_pool2d_forward


class AveragePooling2D(Pooling2D):
    """Average pooling over 2D windows of ``(batch, height, width, channels)`` inputs.

    With ``padding="same"``, padded positions are not counted: each window
    averages only the input elements it covers (as Keras).

    Args:
        pool_size: int or tuple of 2 ints, the window size.
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
        >>> AveragePooling2D(2)(np.ones((1, 4, 4, 3), np.float32)).shape
        (1, 2, 2, 3)
    """

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, name=None, **kwargs):
        super().__init__(pool_size, strides=strides, padding=padding, data_format=data_format, name=name, **kwargs)

    def forward(self, inputs, training=False):
        self._check_input(inputs)
        return avg_pool2d_forward(inputs, self.pool_size, self.strides, self.padding), inputs.shape

    def backward(self, saved, grad_output, need_input_grad=True):
        if not need_input_grad:
            return None, []
        return avg_pool2d_backward(grad_output, saved, self.pool_size, self.strides, self.padding), []
