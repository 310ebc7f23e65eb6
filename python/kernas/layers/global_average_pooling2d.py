"""GlobalAveragePooling2D: the mean over height and width."""

from kernas.layers._global_pooling2d import GlobalPooling2D
from kernas.ops.pooling import global_avg_pool2d_backward, global_avg_pool2d_forward


class GlobalAveragePooling2D(GlobalPooling2D):
    """Global average pooling of ``(batch, height, width, channels)`` inputs.

    Args:
        data_format: ``None`` or ``"channels_last"`` (kernas computes NHWC only).
        keepdims: keep the spatial axes, with size 1.
        **kwargs: base layer arguments.

    Input shape:
        4D ``(batch, height, width, channels)``.

    Output shape:
        ``(batch, channels)``, or ``(batch, 1, 1, channels)`` with ``keepdims``.

    Example:
        >>> GlobalAveragePooling2D()(np.ones((2, 5, 5, 3), np.float32)).shape
        (2, 3)
    """

    def forward(self, inputs, training=False):
        self._check_input(inputs)
        return self._pooled(global_avg_pool2d_forward(inputs)), inputs.shape

    def backward(self, saved, grad_output, need_input_grad=True):
        if not need_input_grad:
            return None, []
        return global_avg_pool2d_backward(self._grad(grad_output), saved), []
