"""GlobalMaxPooling2D: the maximum over height and width."""

from kernas.layers._global_pooling2d import GlobalPooling2D
from kernas.ops.pooling import global_max_pool2d_backward, global_max_pool2d_forward


class GlobalMaxPooling2D(GlobalPooling2D):
    """Global max pooling of ``(batch, height, width, channels)`` inputs.

    The first maximum of each channel (TensorFlow's rule on ties) is taken
    and receives the gradient.

    Args:
        data_format: ``None`` or ``"channels_last"`` (kernas computes NHWC only).
        keepdims: keep the spatial axes, with size 1.
        **kwargs: base layer arguments.

    Input shape:
        4D ``(batch, height, width, channels)``.

    Output shape:
        ``(batch, channels)``, or ``(batch, 1, 1, channels)`` with ``keepdims``.

    Example:
        >>> GlobalMaxPooling2D(keepdims=True)(np.ones((2, 5, 5, 3), np.float32)).shape
        (2, 1, 1, 3)
    """

    def forward(self, inputs, training=False):
        self._check_input(inputs)
        outputs, indices = global_max_pool2d_forward(inputs, return_indices=True)
        return self._pooled(outputs), (indices, inputs.shape)

    def backward(self, saved, grad_output, need_input_grad=True):
        if not need_input_grad:
            return None, []
        indices, shape = saved
        return global_max_pool2d_backward(self._grad(grad_output), indices, shape), []
