"""The base classes of kernas initializers (Keras's ``keras.initializers.Initializer``)."""

import abc
import numbers

import numpy as np

from kernas.backend.dtypes import check_float32
from kernas.random import draw_seed


def standardize_shape(shape):
    """``shape`` as a tuple of non-negative ints (an int stands for a 1-D shape)."""
    if isinstance(shape, numbers.Integral) and not isinstance(shape, bool):
        shape = (shape,)
    try:
        dims = tuple(shape)
    except TypeError:
        raise TypeError(f"Expected `shape` to be a tuple of integers. Received: shape={shape!r}.") from None
    if any(isinstance(d, bool) or not isinstance(d, numbers.Integral) or d < 0 for d in dims):
        raise ValueError(f"Expected `shape` to hold non-negative integers. Received: shape={shape!r}.")
    return tuple(int(d) for d in dims)


class Initializer(abc.ABC):
    """Base class of initializers: ``initializer(shape, dtype=None)`` returns a float32 array.

    Subclasses implement ``__call__`` and, when they take arguments,
    ``get_config`` (whose keys are the constructor's arguments).

    Example:
        >>> class Halves(Initializer):
        ...     def __call__(self, shape, dtype=None):
        ...         return np.full(shape, 0.5, np.float32)
    """

    @abc.abstractmethod
    def __call__(self, shape, dtype=None):
        """A new float32 array of ``shape``."""

    def get_config(self):
        """The constructor arguments as a JSON-serializable dict."""
        return {}

    @classmethod
    def from_config(cls, config):
        """The initializer that ``get_config`` described."""
        return cls(**config)

    def clone(self):
        return type(self).from_config(self.get_config())

    def __repr__(self):
        arguments = ", ".join(f"{key}={value!r}" for key, value in self.get_config().items())
        return f"{type(self).__name__}({arguments})"


class RandomInitializer(Initializer):
    """An initializer drawing from a NumPy generator seeded once, at construction.

    Like Keras's seeded initializers, every call with the same shape returns
    the same values.

    Args:
        seed: an int, or ``None`` to draw one from kernas's global seed
            stream (``kernas.utils.set_random_seed`` makes it reproducible).
    """

    def __init__(self, seed=None):
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)):
            raise ValueError(
                f"Expected `seed` to be an integer or None (kernas has no SeedGenerator objects). "
                f"Received: seed={seed!r}."
            )
        self._init_seed = None if seed is None else int(seed)
        self.seed = draw_seed() if seed is None else int(seed)

    def _generator(self):
        return np.random.default_rng(self.seed)

    def get_config(self):
        return {"seed": self._init_seed}
