"""Activation descriptors shared by every kernel that applies an activation."""

import math

from kernas import _core

ActivationSpec = _core.ActivationSpec


def activation_spec(name="linear", *, negative_slope=None, max_value=None, threshold=0.0, alpha=1.0):
    """Returns the native descriptor of a Keras activation.

    Args:
        name: a Keras activation name: ``"linear"``, ``"relu"``,
            ``"leaky_relu"``, ``"elu"``, ``"selu"``, ``"sigmoid"``, ``"tanh"``,
            ``"softmax"``, ``"log_softmax"``, ``"softplus"``, ``"softsign"``,
            ``"silu"`` (or ``"swish"``), ``"gelu"``, ``"gelu_tanh"`` (Keras's
            ``gelu(approximate=True)``), ``"hard_sigmoid"``, ``"exponential"``.
            ``None`` means linear.
        negative_slope: slope below the threshold for ``relu`` (default 0);
            the slope for ``leaky_relu`` (default 0.2, as Keras's
            ``keras.activations.leaky_relu``).
        max_value: the cap of ``relu``; ``None`` for none.
        threshold: ``relu``'s threshold.
        alpha: ``elu``'s scale of the negative part.

    Example:
        >>> activation_spec("relu", max_value=6.0).name
        'relu'
    """
    if isinstance(name, ActivationSpec):
        return name
    if name is None:
        name = "linear"
    if not isinstance(name, str):
        raise TypeError(f"Expected an activation name (str). Received: name={name!r}.")
    if name == "swish":
        name = "silu"
    if negative_slope is None:
        negative_slope = 0.2 if name == "leaky_relu" else 0.0
    numbers = {"negative_slope": negative_slope, "threshold": threshold, "alpha": alpha}
    numbers["max_value"] = math.inf if max_value is None else max_value
    for key, value in numbers.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
            raise ValueError(f"Expected `{key}` to be a real number. Received: {key}={value!r}.")
    return ActivationSpec(name, **{key: float(value) for key, value in numbers.items()})
