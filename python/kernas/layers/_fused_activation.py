"""How a layer with an ``activation`` argument applies it in its kernel and differentiates it.

Dense and Conv2D fuse the activation into their kernel's epilogue. The
gradient of most activations is computed from the output ``y`` (sigmoid,
tanh, softmax ...), and that of ReLU and leaky ReLU from ``y`` as well:
``y > 0`` exactly where the pre-activation is positive, so the gradient
kernel gets the same answer when handed ``y`` in place of it. Only the
activations whose gradient needs the pre-activation itself (gelu, elu,
silu ...) run the layer's kernel linearly, keep that result and apply the
activation separately.
"""

import math

from kernas import activations
from kernas.ops.activation_spec import activation_spec
from kernas.ops.activations import activation_backward, activation_forward

LINEAR = activation_spec("linear")


def _output_determines_gradient(spec):
    """Whether the gradient at ``y`` equals the gradient at the pre-activation for this spec."""
    if spec.backward_needs_output or not spec.backward_needs_input:
        return True
    # relu / leaky_relu without cap or threshold and a non-negative slope keep the sign of their input.
    return (spec.name in ("relu", "leaky_relu") and spec.threshold == 0.0 and spec.max_value == math.inf
            and spec.negative_slope >= 0.0)


class FusedActivation:
    """The activation of a Dense / Conv2D layer, resolved once at construction.

    Attributes:
        function: the ``kernas.activations`` function.
        name: its Keras name (the layer's ``activation_name``).
        spec: the kernel descriptor.
        fused: whether the layer's kernel applies it (else it runs separately after a linear kernel).
    """

    __slots__ = ("function", "name", "spec", "fused", "is_linear")

    def __init__(self, identifier):
        self.function = activations.get(identifier)
        self.name = activations.serialize(self.function)
        self.spec = activations.kernel_spec(self.function)
        self.is_linear = self.name == "linear"
        self.fused = _output_determines_gradient(self.spec)

    def forward(self, compute, logits):
        """Runs ``compute(spec) -> array`` and the activation; returns ``(output, kept for backward)``.

        With ``logits`` the output is the pre-activation and backward treats
        the activation as linear (``kept`` is ``None``).
        """
        if logits or self.is_linear:
            return compute(LINEAR), None
        if self.fused:
            y = compute(self.spec)
            return y, y
        z = compute(LINEAR)
        return activation_forward(z, self.spec), z

    def backward(self, grad_output, kept):
        """The gradient at the pre-activation, from the gradient at the output and what ``forward`` kept."""
        if kept is None:
            return grad_output
        if self.spec.backward_needs_output:
            return activation_backward(self.spec, grad_output, y=kept)
        # `kept` is the pre-activation, or y where y determines the gradient (see the module docstring).
        return activation_backward(self.spec, grad_output, x=kept)
