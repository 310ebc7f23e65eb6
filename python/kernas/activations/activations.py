"""Keras's activation functions on NumPy arrays, computed by kernas's activation kernels.

Each function returns a new float32 array. Softmax-like functions act along
one axis (the last by default); the others elementwise.
"""

import numpy as np

from kernas.ops.activation_spec import activation_spec
from kernas.ops.activations import activation_forward

# The kernel descriptors of the parameterless forms, built once: every layer
# with a named activation reuses them.
SPECS = {
    name: activation_spec(name)
    for name in ("linear", "relu", "leaky_relu", "elu", "selu", "sigmoid", "tanh", "softmax", "log_softmax",
                 "softplus", "softsign", "silu", "gelu", "hard_sigmoid", "exponential")
}
SPECS["relu6"] = activation_spec("relu", max_value=6.0)


def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    """Rectified linear unit: ``x`` above ``threshold``, ``negative_slope * (x - threshold)`` below.

    The result is capped at ``max_value`` when one is given.

    Example:
        >>> relu(np.array([-2.0, 0.5, 9.0]), max_value=6.0)
        array([0. , 0.5, 6. ], dtype=float32)
    """
    if negative_slope == 0.0 and max_value is None and threshold == 0.0:
        return activation_forward(x, SPECS["relu"])
    return activation_forward(
        x, activation_spec("relu", negative_slope=negative_slope, max_value=max_value, threshold=threshold)
    )


def leaky_relu(x, negative_slope=0.2):
    """``x`` where positive, ``negative_slope * x`` elsewhere."""
    if negative_slope == 0.2:
        return activation_forward(x, SPECS["leaky_relu"])
    return activation_forward(x, activation_spec("leaky_relu", negative_slope=negative_slope))


def relu6(x):
    """``min(max(x, 0), 6)``."""
    return activation_forward(x, SPECS["relu6"])


def elu(x, alpha=1.0):
    """Exponential linear unit: ``x`` where positive, ``alpha * (exp(x) - 1)`` elsewhere."""
    return activation_forward(x, SPECS["elu"] if alpha == 1.0 else activation_spec("elu", alpha=alpha))


def selu(x):
    """Scaled exponential linear unit (Klambauer et al., 2017), with Keras's constants."""
    return activation_forward(x, SPECS["selu"])


def sigmoid(x):
    """``1 / (1 + exp(-x))``."""
    return activation_forward(x, SPECS["sigmoid"])


def tanh(x):
    """Hyperbolic tangent."""
    return activation_forward(x, SPECS["tanh"])


def _along_axis(x, axis, spec):
    """Applies a last-axis kernel along ``axis`` by moving that axis last and back."""
    x = np.asarray(x, dtype=np.float32)
    if x.ndim == 0:
        raise ValueError(f"Expected an input with at least 1 dimension for {spec.name}. Received: x.shape=().")
    if not -x.ndim <= axis < x.ndim:
        raise ValueError(
            f"Expected `axis` in [-{x.ndim}, {x.ndim}) for an input of shape {x.shape}. Received: axis={axis}."
        )
    if axis in (-1, x.ndim - 1):
        return activation_forward(x, spec)
    moved = np.ascontiguousarray(np.moveaxis(x, axis, -1))
    return np.ascontiguousarray(np.moveaxis(activation_forward(moved, spec), -1, axis))


def softmax(x, axis=-1):
    """``exp(x) / sum(exp(x))`` along ``axis``.

    Example:
        >>> softmax(np.zeros((1, 4)))
        array([[0.25, 0.25, 0.25, 0.25]], dtype=float32)
    """
    return _along_axis(x, axis, SPECS["softmax"])


def log_softmax(x, axis=-1):
    """``x - log(sum(exp(x)))`` along ``axis``."""
    return _along_axis(x, axis, SPECS["log_softmax"])


def softplus(x):
    """``log(exp(x) + 1)``."""
    return activation_forward(x, SPECS["softplus"])


def softsign(x):
    """``x / (abs(x) + 1)``."""
    return activation_forward(x, SPECS["softsign"])


def silu(x):
    """Swish / SiLU: ``x * sigmoid(x)``."""
    return activation_forward(x, SPECS["silu"])


def gelu(x, approximate=False):
    """Gaussian error linear unit: ``x * P(X <= x)``, ``X ~ N(0, 1)``; ``approximate`` uses the tanh formula."""
    return activation_forward(x, SPECS["gelu"] if not approximate else "gelu_tanh")


def hard_sigmoid(x):
    """``relu6(x + 3) / 6``: 0 below -3, 1 above 3, linear between."""
    return activation_forward(x, SPECS["hard_sigmoid"])


def exponential(x):
    """``exp(x)``."""
    return activation_forward(x, SPECS["exponential"])


def linear(x):
    """The identity (returned as a float32 array)."""
    return np.array(x, dtype=np.float32)
