"""A model weight: a named float32 array that optimizers update in place."""

import numpy as np


class Variable:
    """A layer's weight, Keras's ``keras.Variable`` for NumPy arrays.

    The array in ``value`` is owned by the variable, C-contiguous float32, and
    keeps its identity for the variable's life: kernels and optimizers write
    into it in place, and ``assign`` copies into it.

    Args:
        value: the initial value (copied).
        name: the variable's name inside its layer, e.g. ``"kernel"``.
        trainable: whether optimizers update it.
        regularizer: an optional ``kernas.regularizers`` object whose penalty
            joins the training loss.
        path: ``"<layer name>/<name>"``; defaults to ``name``.
    """

    def __init__(self, value, name, trainable=True, regularizer=None, path=None):
        array = np.asarray(value)
        if not (np.issubdtype(array.dtype, np.number) or array.dtype == np.bool_):
            raise TypeError(f"Expected a numeric initial value for variable '{name}'. Received: dtype={array.dtype}.")
        self._value = np.array(array, dtype=np.float32, order="C", copy=True)
        self.name = name
        self.path = path or name
        self.trainable = bool(trainable)
        self.regularizer = regularizer

    @property
    def value(self):
        """The live float32 array (not a copy)."""
        return self._value

    @property
    def shape(self):
        return self._value.shape

    @property
    def dtype(self):
        return "float32"

    def numpy(self):
        """A copy of the current value."""
        return self._value.copy()

    def assign(self, value):
        """Copies ``value`` (same shape) into the variable."""
        array = np.asarray(value)
        if array.shape != self._value.shape:
            raise ValueError(
                f"Expected a value of shape {self._value.shape} for variable '{self.path}'. "
                f"Received: value.shape={array.shape}."
            )
        if not (np.issubdtype(array.dtype, np.number) or array.dtype == np.bool_):
            raise TypeError(f"Expected a numeric value for variable '{self.path}'. Received: dtype={array.dtype}.")
        np.copyto(self._value, array, casting="unsafe")

    def __array__(self, dtype=None, copy=None):
        return self._value.astype(dtype) if dtype is not None else self._value.copy()

    def __repr__(self):
        return f"<Variable path={self.path}, shape={self._value.shape}, dtype=float32>"


def assign_weights(variables, weights, owner):
    """Sets ``variables`` from ``weights`` (aligned lists), checking every count and shape first.

    Nothing is assigned unless all of it fits. ``owner`` names the caller in
    errors, e.g. ``"layer 'dense'"``.
    """
    weights = list(weights)
    if len(weights) != len(variables):
        raise ValueError(
            f"You called `set_weights(weights)` on {owner} with a weight list of length {len(weights)}, "
            f"but the {owner.split()[0]} was expecting {len(variables)} weights."
        )
    for variable, value in zip(variables, weights):
        if np.shape(value) != variable.shape:
            raise ValueError(
                f"Weight {variable.path} of {owner} has shape {variable.shape}, which is not compatible with "
                f"the provided weight shape {np.shape(value)}."
            )
    for variable, value in zip(variables, weights):
        variable.assign(value)
