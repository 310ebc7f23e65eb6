"""Deterministic initializers: Zeros, Ones, Constant, Identity."""

import numbers

import numpy as np

from kernas.initializers.initializer import Initializer, check_float32, standardize_shape


class Zeros(Initializer):
    """Initializes to 0.

    Example:
        >>> Zeros()((2, 3)).sum()
        0.0
    """

    def __call__(self, shape, dtype=None):
        check_float32(dtype)
        return np.zeros(standardize_shape(shape), dtype=np.float32)


class Ones(Initializer):
    """Initializes to 1.

    Example:
        >>> Ones()((2,))
        array([1., 1.], dtype=float32)
    """

    def __call__(self, shape, dtype=None):
        check_float32(dtype)
        return np.ones(standardize_shape(shape), dtype=np.float32)


class Constant(Initializer):
    """Initializes every element to ``value``.

    Args:
        value: a real number (kernas does not take array values here; use
            ``layer.set_weights`` for those).

    Example:
        >>> Constant(0.1)((2,))
        array([0.1, 0.1], dtype=float32)
    """

    def __init__(self, value=0.0):
        if isinstance(value, np.generic):
            value = value.item()
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise ValueError(
                f"Expected `value` to be a real number. Received: value={value!r}. "
                "To start from given arrays, build the layer and call `set_weights`."
            )
        self.value = value

    def __call__(self, shape, dtype=None):
        check_float32(dtype)
        return np.full(standardize_shape(shape), self.value, dtype=np.float32)

    def get_config(self):
        return {"value": self.value}


class Identity(Initializer):
    """Initializes a 2-D matrix to ``gain`` times the identity (ones on the main diagonal).

    Args:
        gain: the diagonal's value.

    Example:
        >>> Identity(2.0)((2, 3))
        array([[2., 0., 0.],
               [0., 2., 0.]], dtype=float32)
    """

    def __init__(self, gain=1.0):
        self.gain = gain

    def __call__(self, shape, dtype=None):
        check_float32(dtype)
        shape = standardize_shape(shape)
        if len(shape) != 2:
            raise ValueError(
                "Identity matrix initializer can only be used for 2D matrices. "
                f"Received: shape={shape} of rank {len(shape)}."
            )
        return (self.gain * np.eye(*shape)).astype(np.float32)

    def get_config(self):
        # Keras's Identity config is {} (it drops `gain`); kernas writes the gain only when it is not the
        # default, so default configs match Keras and others still load back (Keras accepts the key too).
        return {} if self.gain == 1.0 else {"gain": self.gain}
