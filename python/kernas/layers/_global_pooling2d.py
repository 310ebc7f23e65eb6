"""The arguments, shapes and config shared by the global 2D pooling layers."""

from kernas.layers import _arguments
from kernas.layers._image_layer import ImageLayer


class GlobalPooling2D(ImageLayer):
    """Base of GlobalAveragePooling2D / GlobalMaxPooling2D (channels-last); subclasses implement forward/backward."""

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = _arguments.data_format(data_format)
        if not isinstance(keepdims, bool):
            raise ValueError(f"Expected `keepdims` to be a boolean. Received: keepdims={keepdims!r}.")
        self.keepdims = keepdims

    def build(self, input_shape):
        self._check_image_shape(input_shape)
        self.built = True

    def compute_output_shape(self, input_shape):
        self._check_image_shape(input_shape)
        if self.keepdims:
            return (input_shape[0], 1, 1, input_shape[3])
        return (input_shape[0], input_shape[3])

    def _pooled(self, outputs):
        """The ``(batch, channels)`` result, as ``(batch, 1, 1, channels)`` (a view) with ``keepdims``."""
        if self.keepdims:
            return outputs.reshape(outputs.shape[0], 1, 1, outputs.shape[1])
        return outputs

    def _grad(self, grad_output):
        return grad_output.reshape(grad_output.shape[0], grad_output.shape[-1]) if self.keepdims else grad_output

    def get_config(self):
        config = super().get_config()
        config.update({"data_format": self.data_format, "keepdims": self.keepdims})
        return config
