"""Activation kernels: Keras's activations and their gradients, on arrays of any shape."""

import numpy as np

from kernas import _core
from kernas.ops._checks import as_float32
from kernas.ops.activation_spec import activation_spec

_FLOAT32 = np.dtype(np.float32)


def _output(out, shape, name):
    """Returns ``out`` checked to fit ``shape``, or a new array when it is ``None``."""
    if out is None:
        return np.empty(shape, dtype=np.float32)
    if not isinstance(out, np.ndarray):
        raise TypeError(f"Expected `{name}` to be a numpy.ndarray or None. Received: type={type(out).__name__}.")
    if out.dtype != _FLOAT32 or not out.flags.c_contiguous or not out.flags.writeable:
        raise ValueError(
            f"Expected `{name}` to be a writeable, C-contiguous float32 array. Received: {name}.dtype={out.dtype}, "
            f"C-contiguous={out.flags.c_contiguous}, writeable={out.flags.writeable}. "
            f"Allocate it with np.empty(shape, dtype='float32')."
        )
    if out.shape != shape:
        raise ValueError(f"Expected `{name}` to have shape {shape}. Received: {name}.shape={out.shape}.")
    return out


def activation_forward(x, activation, out=None):
    """Returns ``activation(x)``, elementwise or, for softmax kinds, along the last axis.

    Args:
        x: array of any shape (converted to float32).
        activation: an activation name (``"relu"``, ``"gelu"``, ``"softmax"``
            ...) or ``kernas.ops.activation_spec(...)`` for one with parameters.
        out: optional float32 C-contiguous array of ``x``'s shape to write
            into; it may be ``x`` itself (in place).

    Returns:
        The float32 result, ``out`` when given.

    Example:
        >>> activation_forward(np.array([-1.0, 2.0]), "relu")
        array([0., 2.], dtype=float32)
    """
    spec = activation_spec(activation)
    x = as_float32(x, "x")
    out = _output(out, x.shape, "out")
    _core.activation_forward(x, spec, out)
    return out


def _saved(array, needed, name, role, spec, shape):
    if not needed:
        return None
    if array is None:
        verb = "received" if role == "input" else "returned"
        raise ValueError(
            f"Expected `{name}`, the forward {role}, for the gradient of activation '{spec.name}'. "
            f"Received: {name}=None. Pass the array the forward pass {verb}."
        )
    array = as_float32(array, name)
    if array.shape != shape:
        raise ValueError(f"Expected `{name}` to have the shape of `dy`, {shape}. Received: {name}.shape={array.shape}.")
    return array


def activation_backward(activation, dy, x=None, y=None, out=None):
    """Returns ``dL/dx`` of ``y = activation(x)`` given ``dy = dL/dy``.

    Which saved tensors are read depends on the activation: ``relu``,
    ``gelu``, ``elu`` ... need the forward input ``x``; ``sigmoid``, ``tanh``,
    ``softmax``, ``log_softmax`` and ``exponential`` need the forward output
    ``y`` (see ``activation_spec(...).backward_needs_input`` /
    ``backward_needs_output``); ``linear`` needs neither. The other may be
    omitted.

    Args:
        activation: an activation name or ``kernas.ops.activation_spec(...)``.
        dy: gradient of the loss at the activation's output, any shape.
        x: the forward input, of ``dy``'s shape, where needed.
        y: the forward output, of ``dy``'s shape, where needed.
        out: optional float32 C-contiguous array of ``dy``'s shape to write
            into; it may be ``dy`` itself (in place).

    Returns:
        The float32 gradient at the input, ``out`` when given.

    Example:
        >>> x = np.array([-1.0, 2.0], dtype="float32")
        >>> activation_backward("relu", np.ones(2), x=x)
        array([0., 1.], dtype=float32)
    """
    spec = activation_spec(activation)
    dy = as_float32(dy, "dy")
    x = _saved(x, spec.backward_needs_input, "x", "input", spec, dy.shape)
    y = _saved(y, spec.backward_needs_output, "y", "output", spec, dy.shape)
    out = _output(out, dy.shape, "out")
    _core.activation_backward(spec, x, y, dy, out)
    return out
