"""Dense: the fully connected layer ``activation(inputs @ kernel + bias)``."""

import math

from kernas.layers import _arguments
from kernas.layers._kernel_layer import KernelLayer
from kernas.ops.dense import dense_backward, dense_forward


class Dense(KernelLayer):
    """Just your regular densely-connected NN layer: ``activation(dot(inputs, kernel) + bias)``.

    Applied to the last axis of its input: an input ``(batch, d0, ..., in)``
    is computed as ``(batch * d0 * ..., in)`` rows (a view, no copy). The
    bias add and the activation run inside the matrix-multiply kernel.

    Args:
        units: positive int, the output size.
        activation: a ``kernas.activations`` name or function; ``None`` is linear.
        use_bias: whether to add a bias vector.
        kernel_initializer: initializer of the ``(in, units)`` kernel.
        bias_initializer: initializer of the ``(units,)`` bias.
        kernel_regularizer: optional regularizer of the kernel.
        bias_regularizer: optional regularizer of the bias.
        activity_regularizer: optional regularizer of the output.
        kernel_constraint, bias_constraint, lora_rank, lora_alpha,
            quantization_config: not supported by kernas; must be ``None``.
        **kwargs: base layer arguments (``name``, ``trainable``, ``dtype``,
            ``input_shape``, ``input_dim``).

    Input shape:
        N-D array ``(batch, ..., input_dim)``, N >= 2.

    Output shape:
        ``(batch, ..., units)``.

    Example:
        >>> layer = Dense(4, activation="relu")
        >>> layer(np.ones((2, 3), np.float32)).shape
        (2, 4)
    """

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, lora_rank=None, lora_alpha=None,
                 quantization_config=None, **kwargs):
        super().__init__(activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
                         bias_regularizer, activity_regularizer, **kwargs)
        _arguments.unsupported("Dense", kernel_constraint=kernel_constraint, bias_constraint=bias_constraint,
                               lora_rank=lora_rank, lora_alpha=lora_alpha, quantization_config=quantization_config)
        self.units = _arguments.positive_int(units, "units")
        self._input_dim = None

    def build(self, input_shape):
        if len(input_shape) < 2:
            raise ValueError(
                f"Input 0 of layer \"{self.name}\" is incompatible with the layer: expected min_ndim=2, found "
                f"ndim={len(input_shape)}. Full shape received: {tuple(input_shape)}. Give Dense inputs of shape "
                "(batch, ..., features)."
            )
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(
                f"Expected the last dimension of the inputs of Dense layer \"{self.name}\" to be defined. "
                f"Received: input_shape={tuple(input_shape)}."
            )
        self._input_dim = input_dim
        self.add_kernel_and_bias((input_dim, self.units))
        self.built = True

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)[:-1] + (self.units,)

    def forward(self, inputs, training=False, logits=False):
        """Returns ``(outputs, saved)``; with ``logits`` the outputs are taken before the activation."""
        shape = inputs.shape
        if len(shape) < 2 or shape[-1] != self._input_dim:
            raise _arguments.incompatible_input(
                self, f"expected axis -1 of input shape to have value {self._input_dim} and at least 2 dimensions",
                shape)
        # The row count is explicit: numpy cannot infer a -1 when the inputs hold no element.
        rows = inputs if len(shape) == 2 else inputs.reshape(math.prod(shape[:-1]), self._input_dim)
        kernel = self.kernel.value
        bias = self.bias.value if self.use_bias else None
        outputs, kept = self._activation.forward(lambda spec: dense_forward(rows, kernel, bias, spec), logits)
        if len(shape) != 2:
            outputs = outputs.reshape(shape[:-1] + (self.units,))
        return outputs, (rows, kept, shape)

    def backward(self, saved, grad_output, need_input_grad=True):
        rows, kept, shape = saved
        grad = grad_output if grad_output.ndim == 2 else grad_output.reshape(-1, self.units)
        grad = self._activation.backward(grad, kept)
        dx, dkernel, dbias = dense_backward(rows, self.kernel.value, grad, need_dx=need_input_grad,
                                            need_bias=self.use_bias)
        if dx is not None and len(shape) != 2:
            dx = dx.reshape(shape)
        return dx, self.weight_gradients(dkernel, dbias)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "units": self.units,
                **self.kernel_config(),
                "kernel_constraint": None,
                "bias_constraint": None,
                "quantization_config": None,
            }
        )
        return config
