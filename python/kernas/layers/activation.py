"""Activation: applies a named activation function to its input."""

from kernas.layers._fused_activation import FusedActivation
from kernas.layers.layer import Layer
from kernas.ops.activations import activation_forward


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
        self._activation = FusedActivation(activation)
        self.activation = self._activation.function
        self.activation_name = self._activation.name

    def forward(self, inputs, training=False, logits=False):
        """Returns ``(outputs, saved)``; with ``logits`` the outputs are the inputs (before the activation)."""
        resolved = self._activation
        if logits or resolved.is_linear:
            return inputs, None
        outputs = activation_forward(inputs, resolved.spec)
        # Keep whichever of input / output the gradient kernel reads; both are arrays the caller holds anyway.
        return outputs, (outputs if resolved.spec.backward_needs_output else inputs)

    def backward(self, saved, grad_output, need_input_grad=True):
        if not need_input_grad:
            return None, []
        return self._activation.backward(grad_output, saved), []

    def get_config(self):
        config = super().get_config()
        config["activation"] = self.activation_name
        return config
