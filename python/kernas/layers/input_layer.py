"""``Input`` / ``InputLayer``: declares the shape of a model's inputs."""

from kernas.backend.dtypes import check_float32
from kernas.layers.layer import Layer, standardize_shape


class KerasTensor:
    """The symbolic input ``kernas.Input`` returns: a shape, for ``Sequential``'s first entry."""

    def __init__(self, layer):
        self._input_layer = layer
        self.shape = layer.batch_shape
        self.dtype = "float32"
        self.name = layer.name

    def __repr__(self):
        return f"<KerasTensor shape={self.shape}, dtype=float32, name={self.name}>"


class InputLayer(Layer):
    """The input of a model: holds ``batch_shape`` and passes its input through.

    Args:
        shape: shape of one sample, without the batch dimension.
        batch_size: optional fixed batch size.
        dtype: ``None`` or ``"float32"``.
        batch_shape: the full shape including the batch dimension (instead of
            ``shape`` and ``batch_size``).
        name: the layer's name (default ``input_layer``).
    """

    def __init__(self, shape=None, batch_size=None, dtype=None, sparse=None, ragged=None, batch_shape=None,
                 input_tensor=None, optional=False, name=None, **kwargs):
        if "input_shape" in kwargs:
            shape = kwargs.pop("input_shape")
        if "batch_input_shape" in kwargs:
            batch_shape = kwargs.pop("batch_input_shape")
        if kwargs:
            raise ValueError(f"Unrecognized keyword arguments passed to InputLayer: {kwargs}.")
        super().__init__(name=name)
        if sparse or ragged:
            raise ValueError("kernas supports dense inputs only. Received: sparse=True or ragged=True.")
        if input_tensor is not None:
            raise ValueError("kernas.layers.InputLayer does not take `input_tensor`. Pass `shape` instead.")
        if optional:
            raise ValueError("kernas does not support optional inputs. Received: optional=True.")
        check_float32(dtype)
        if shape is not None and batch_shape is not None:
            raise ValueError("You cannot pass both `shape` and `batch_shape` at the same time.")
        if batch_size is not None and batch_shape is not None:
            raise ValueError("You cannot pass both `batch_size` and `batch_shape` at the same time.")
        if shape is None and batch_shape is None:
            raise ValueError("You must pass a `shape` argument, e.g. kernas.Input(shape=(28, 28, 1)).")
        if shape is not None:
            batch_shape = (batch_size,) + standardize_shape(shape)
        self.batch_shape = standardize_shape(batch_shape, "batch_shape")
        self.built = True

    def forward(self, inputs, training=False):
        return inputs, None

    def backward(self, saved, grad_output, need_input_grad=True):
        return grad_output, []

    def get_config(self):
        return {
            "batch_shape": tuple(self.batch_shape),
            "dtype": "float32",
            "sparse": False,
            "ragged": False,
            "name": self.name,
            "optional": False,
        }


def Input(shape=None, batch_size=None, dtype=None, sparse=None, ragged=None, batch_shape=None, name=None,
          tensor=None, optional=False):
    """Keras's ``Input``: the symbolic input to start a ``Sequential`` model with.

    Example:
        >>> model = kernas.Sequential([kernas.Input(shape=(4,)), kernas.layers.Dense(2)])
    """
    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, sparse=sparse, ragged=ragged,
                       batch_shape=batch_shape, input_tensor=tensor, optional=optional, name=name)
    return KerasTensor(layer)
