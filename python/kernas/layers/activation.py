"""Activation: applies a named activation function to its input."""

from kernas.layers._fused_activation import FusedActivation
from kernas.layers.layer import Layer
from kernas.ops.activations import activation_backward, activation_forward


class Activation(Layer):
    """Applies an activation function to its input (softmax along the last axis).

    Args:
        activation: a ``kernas.activations`` name (``"relu"``, ``"softmax"`` ...) or function.
        **kwargs: base layer arguments.

    Input shape:
        Any.

    Output shape:
        Same as the input.

    Example:
        >>> Activation("relu")(np.array([[-1.0, 2.0]], np.float32))
        array([[0., 2.]], dtype=float32)
    """

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        resolved = FusedActivation(activation)
        self.activation = resolved.function
        self.activation_name = resolved.name
        self._spec = resolved.spec
        self._is_linear = resolved.is_linear
        self._needs_output = resolved.spec.backward_needs_output

    def forward(self, inputs, training=False, logits=False):
        """Returns ``(outputs, saved)``; with ``logits`` the outputs are the inputs (before the activation)."""
        if logits or self._is_linear:
            return inputs, None
        outputs = activation_forward(inputs, self._spec)
        # Keep whichever of input / output the gradient kernel reads; both are arrays the caller holds anyway.
        return outputs, (outputs if self._needs_output else inputs)

    def backward(self, saved, grad_output, need_input_grad=True):
        if not need_input_grad:
            return None, []
        if saved is None:
            return grad_output, []
        if self._needs_output:
            return activation_backward(self._spec, grad_output, y=saved), []
        return activation_backward(self._spec, grad_output, x=saved), []

    def get_config(self):
        config = super().get_config()
        config["activation"] = self.activation_name
        return config
