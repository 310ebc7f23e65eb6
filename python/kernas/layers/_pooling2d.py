"""The arguments, shapes and config shared by MaxPooling2D and AveragePooling2D."""

from kernas.layers import _arguments
from kernas.layers._image_layer import ImageLayer
from kernas.ops.pooling import pool2d_output_shape


class Pooling2D(ImageLayer):
    """Base of the windowed 2D pooling layers (channels-last); subclasses implement forward/backward."""

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.pool_size = _arguments.int_tuple(pool_size, 2, "pool_size")
        self.strides = self.pool_size if strides is None else _arguments.int_tuple(strides, 2, "strides")
        self.padding = _arguments.padding(padding)
        self.data_format = _arguments.data_format(data_format)

    def build(self, input_shape):
        self.compute_output_shape(input_shape)
        self.built = True

    def compute_output_shape(self, input_shape):
        self._check_image_shape(input_shape)
        try:
            return pool2d_output_shape(tuple(input_shape), self.pool_size, self.strides, self.padding)
        except ValueError:
            raise ValueError(
                "Computed output size would be zero or negative. "
                f"Received: `inputs.shape={tuple(input_shape)}`, `pool_size={self.pool_size}`, "
                f"`strides={self.strides}`, `padding={self.padding}`. Use padding='same' or a smaller pool_size."
            ) from None

    def get_config(self):
        config = super().get_config()
        config.update(
            {"pool_size": self.pool_size, "padding": self.padding, "strides": self.strides,
             "data_format": self.data_format}
        )
        return config
