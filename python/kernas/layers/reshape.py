"""Reshape: gives each sample a new shape (a view, no copy)."""

import math
import numbers

from kernas.layers.layer import Layer


class Reshape(Layer):
    """Reshapes each sample to ``target_shape``, keeping the batch axis.

    One entry of ``target_shape`` may be ``-1``: it is inferred from the
    sample's size. The output is a view of the input (no copy).

    Args:
        target_shape: tuple of ints (batch axis excluded); at most one ``-1``.
        **kwargs: base layer arguments.

    Input shape:
        ``(batch, ...)`` with as many elements per sample as ``target_shape`` holds.

    Output shape:
        ``(batch, *target_shape)``.

    Example:
        >>> Reshape((-1, 2))(np.ones((3, 12), np.float32)).shape
        (3, 6, 2)
    """

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        if isinstance(target_shape, numbers.Integral) and not isinstance(target_shape, bool):
            target_shape = (target_shape,)
        try:
            target_shape = tuple(target_shape)
        except TypeError:
            raise ValueError(
                f"Expected `target_shape` to be a tuple of integers. Received: target_shape={target_shape!r}."
            ) from None
        if any(isinstance(d, bool) or not isinstance(d, numbers.Integral) for d in target_shape):
            raise ValueError(
                f"Expected `target_shape` to be a tuple of integers. Received: target_shape={target_shape!r}."
            )
        target_shape = tuple(int(d) for d in target_shape)
        if any(d < -1 for d in target_shape):
            raise ValueError(
                "Each dimension in `target_shape` must be a non-negative integer, or `-1` for a single unknown "
                f"dimension. Received: target_shape={target_shape}."
            )
        if target_shape.count(-1) > 1:
            raise ValueError(
                f"There must be at most one unknown dimension (-1) in `target_shape`. Received: "
                f"target_shape={target_shape}."
            )
        self.target_shape = target_shape
        self._known_size = math.prod(d for d in target_shape if d != -1)

    def _resolve(self, sample_shape):
        """``target_shape`` with its -1 resolved for samples of ``sample_shape`` (None where unknown)."""
        if None in sample_shape:
            return tuple(None if d == -1 else d for d in self.target_shape)
        size = math.prod(sample_shape)
        if -1 not in self.target_shape:
            if size != self._known_size:
                raise ValueError(
                    "The total size of the tensor must be unchanged. Received: "
                    f"input_shape={tuple(sample_shape)}, target_shape={self.target_shape}. Give Reshape a "
                    f"target_shape holding {size} elements per sample, or one -1 to infer."
                )
            return self.target_shape
        if self._known_size == 0 or size % self._known_size:
            raise ValueError(
                "The total size of the tensor must be unchanged, however, the input size cannot by divided by "
                f"the specified dimensions in target_shape. Received: input_shape={tuple(sample_shape)}, "
                f"target_shape={self.target_shape}. The known dimensions must multiply to a divisor of {size}."
            )
        return tuple(size // self._known_size if d == -1 else d for d in self.target_shape)

    def compute_output_shape(self, input_shape):
        if len(input_shape) < 1:
            raise ValueError(f"Expected an input with a batch axis. Received: input_shape={tuple(input_shape)}.")
        return (input_shape[0],) + self._resolve(tuple(input_shape[1:]))

    def build(self, input_shape):
        self.compute_output_shape(input_shape)
        self.built = True

    def forward(self, inputs, training=False):
        shape = inputs.shape
        try:
            outputs = inputs.reshape(shape[:1] + self.target_shape)
        except ValueError:
            # Either the sizes do not match (_resolve raises Keras's message) or the batch is empty,
            # which leaves numpy unable to infer the -1.
            outputs = inputs.reshape(shape[:1] + self._resolve(shape[1:]))
        return outputs, shape

    def backward(self, saved, grad_output, need_input_grad=True):
        return (grad_output.reshape(saved) if need_input_grad else None), []

    def get_config(self):
        config = super().get_config()
        config["target_shape"] = self.target_shape
        return config
