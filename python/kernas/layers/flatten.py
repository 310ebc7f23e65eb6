"""Flatten: collapses every axis but the batch axis (a view, no copy)."""

import math

from kernas.layers import _arguments
from kernas.layers.layer import Layer


class Flatten(Layer):
    """Flattens the input, keeping the batch axis: ``(batch, d1, ..., dn) -> (batch, d1 * ... * dn)``.

    The output is a view of the input (inputs are C-contiguous), so nothing is copied.

    Args:
        data_format: ``None`` or ``"channels_last"`` (kernas computes
            channels-last only; Keras's channels_first reorders before flattening).
        **kwargs: base layer arguments.

    Input shape:
        ``(batch, ...)``, any rank >= 1.

    Output shape:
        ``(batch, product of the other dimensions)``; a 1-D input gives ``(batch, 1)``.

    Example:
        >>> Flatten()(np.ones((2, 3, 4), np.float32)).shape
        (2, 12)
    """

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = _arguments.data_format(data_format)

    def compute_output_shape(self, input_shape):
        if len(input_shape) < 1:
            raise ValueError(
                f"Expected an input with a batch axis for Flatten layer \"{self.name}\". "
                f"Received: input_shape={tuple(input_shape)}."
            )
        rest = input_shape[1:]
        size = None if None in rest else math.prod(rest)
        return (input_shape[0], size)

    def build(self, input_shape):
        self.compute_output_shape(input_shape)
        self.built = True

    def forward(self, inputs, training=False):
        return inputs.reshape(inputs.shape[0], math.prod(inputs.shape[1:])), inputs.shape

    def backward(self, saved, grad_output, need_input_grad=True):
        return (grad_output.reshape(saved) if need_input_grad else None), []

    def get_config(self):
        config = super().get_config()
        config["data_format"] = self.data_format
        return config
