"""Keras's activation functions (``kernas.activations``) on NumPy arrays.

Layers take an activation by name (``Dense(10, activation="relu")``) or as
one of these functions; ``get`` resolves either. kernas fuses the activation
into its layer's kernel and runs its gradient kernel in training, so it must
be one of the named activations below; an arbitrary Python callable cannot be
differentiated and is refused.
"""

import types

from kernas.activations.activations import (
    SPECS,
    elu,
    exponential,
    gelu,
    hard_sigmoid,
    leaky_relu,
    linear,
    log_softmax,
    relu,
    relu6,
    selu,
    sigmoid,
    silu,
    softmax,
    softplus,
    softsign,
    tanh,
)

swish = silu

_FUNCTIONS = (elu, exponential, gelu, hard_sigmoid, leaky_relu, linear, log_softmax, relu, relu6, selu, sigmoid,
              silu, softmax, softplus, softsign, tanh)
_BY_NAME = {fn.__name__: fn for fn in _FUNCTIONS}
_BY_NAME["swish"] = silu
_NAME_OF = {fn: fn.__name__ for fn in _FUNCTIONS}


def _unknown(name):
    valid = ", ".join(sorted(_BY_NAME))
    return ValueError(f"Unknown activation function: '{name}'. kernas supports: {valid}.")


def get(identifier):
    """Resolves an activation identifier to one of the functions of this module.

    Args:
        identifier: ``None`` (linear), a name (``"relu"``, ``"swish"`` ...),
            Keras's serialized form of a built-in activation, or one of the
            functions of ``kernas.activations`` (or the same-named
            ``keras.activations`` function).

    Returns:
        The function.

    Example:
        >>> get("swish") is silu
        True
    """
    if identifier is None:
        return linear
    if isinstance(identifier, str):
        fn = _BY_NAME.get(identifier)
        if fn is None:
            raise _unknown(identifier)
        return fn
    if isinstance(identifier, dict):
        name = identifier.get("config")
        if identifier.get("class_name") != "function" or not isinstance(name, str):
            raise ValueError(
                f"Could not interpret activation function identifier: {identifier!r}. Expected a name such as "
                "'relu' or Keras's serialized built-in activation."
            )
        return get(name)
    if isinstance(identifier, types.FunctionType) and identifier in _NAME_OF:
        return identifier
    if isinstance(identifier, types.FunctionType) and identifier.__module__.startswith("keras.src.activations"):
        # Keras's own function of that name: kernas has the same function with a gradient kernel.
        fn = _BY_NAME.get(identifier.__name__)
        if fn is None:
            raise _unknown(identifier.__name__)
        return fn
    if callable(identifier):
        raise TypeError(
            f"Expected a named activation. Received: activation={identifier!r}. kernas runs each activation's "
            "gradient kernel in training, so it needs one of its named activations "
            f"({', '.join(sorted(_BY_NAME))}); pass the name, e.g. activation='relu', or add an "
            "`Activation` layer by name."
        )
    raise ValueError(f"Could not interpret activation function identifier: {identifier!r}")


def serialize(activation):
    """The name of an activation function of this module (Keras's serialized form of a built-in)."""
    name = _NAME_OF.get(activation)
    if name is None:
        raise ValueError(
            f"Unknown activation function '{activation}' cannot be serialized. "
            f"Expected one of the functions of kernas.activations ({', '.join(sorted(_BY_NAME))})."
        )
    return name


def deserialize(config):
    """The activation function named by ``config`` (a name or Keras's serialized form)."""
    return get(config)


def kernel_spec(activation):
    """The kernel descriptor (``kernas.ops.activation_spec``) of an activation function of this module."""
    return SPECS[serialize(activation)]


__all__ = sorted(_BY_NAME) + ["deserialize", "get", "kernel_spec", "serialize"]
