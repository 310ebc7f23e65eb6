"""Keras's weight initializers (``kernas.initializers``), returning float32 NumPy arrays.

``get`` resolves what a layer's ``kernel_initializer`` / ``bias_initializer``
argument may hold: a name as Keras spells it (``"glorot_uniform"``,
``"he_normal"``, ``"zeros"``, ``"GlorotUniform"`` ...), a Keras config dict,
an initializer object or class, a NumPy array (used as the value), or any
callable ``(shape, dtype=None) -> array``.
"""

import inspect

import numpy as np

from kernas.backend import serialization
from kernas.backend.naming import snake_case
from kernas.initializers.constant_initializers import Constant, Identity, Ones, Zeros
from kernas.initializers.initializer import Initializer, check_float32, standardize_shape
from kernas.initializers.random_initializers import Orthogonal, RandomNormal, RandomUniform, TruncatedNormal
from kernas.initializers.variance_scaling import (
    GlorotNormal,
    GlorotUniform,
    HeNormal,
    HeUniform,
    LecunNormal,
    LecunUniform,
    VarianceScaling,
    compute_fans,
)

_CLASSES = (
    Initializer, Zeros, Ones, Constant, Identity, RandomNormal, RandomUniform, TruncatedNormal, Orthogonal,
    VarianceScaling, GlorotUniform, GlorotNormal, HeNormal, HeUniform, LecunNormal, LecunUniform,
)
_BY_NAME = {cls.__name__: cls for cls in _CLASSES}
_BY_NAME.update({snake_case(cls.__name__): cls for cls in _CLASSES})
_BY_NAME.update(
    {
        "IdentityInitializer": Identity,
        "OrthogonalInitializer": Orthogonal,
        "normal": RandomNormal,
        "uniform": RandomUniform,
        "one": Ones,
        "zero": Zeros,
    }
)

# Keras's lower-case aliases of the classes.
zeros, ones, constant, identity = Zeros, Ones, Constant, Identity
random_normal, random_uniform, truncated_normal, orthogonal = RandomNormal, RandomUniform, TruncatedNormal, Orthogonal
variance_scaling, glorot_uniform, glorot_normal = VarianceScaling, GlorotUniform, GlorotNormal
he_normal, he_uniform, lecun_normal, lecun_uniform = HeNormal, HeUniform, LecunNormal, LecunUniform


def _lookup(name):
    return serialization.lookup(_BY_NAME, Initializer, "initializer", name)


def serialize(initializer):
    """Keras's dict form of an initializer: ``{"module", "class_name", "config", "registered_name"}``.

    A plain function is described by its module and name (as Keras does); it
    cannot be loaded back unless it is one of kernas's.
    """
    if initializer is None:
        return None
    if isinstance(initializer, Initializer):
        return serialization.serialize_object(initializer, "initializers")
    if callable(initializer):
        name = getattr(initializer, "__name__", type(initializer).__name__)
        return {"module": getattr(initializer, "__module__", None), "class_name": "function", "config": name,
                "registered_name": name}
    raise TypeError(f"Expected an initializer object or callable. Received: initializer={initializer!r}.")


def deserialize(config):
    """The initializer a Keras config dict (or a name) describes."""
    if isinstance(config, str):
        return _lookup(config)()
    return serialization.deserialize_object(config, _BY_NAME, Initializer, "initializer")


def _array_initializer(array):
    """Keras's tensor-as-initializer: returns ``array`` for exactly its own shape."""
    value = np.array(array, dtype=np.float32)

    def initialize_fn(shape, dtype=None):
        check_float32(dtype)
        if standardize_shape(shape) != value.shape:
            raise ValueError(
                f"Expected `shape` to be {value.shape} for direct tensor as initializer. Received shape={shape}"
            )
        return value.copy()

    return initialize_fn


def get(identifier):
    """Resolves an initializer identifier to a callable ``(shape, dtype=None) -> float32 array``.

    Args:
        identifier: ``None`` (returns ``None``), a name, a config dict, an
            initializer object or class, a NumPy array, or a callable.

    Example:
        >>> get("he_normal")
        HeNormal(seed=None, input_axes=None, output_axes=None)
    """
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if isinstance(identifier, (np.ndarray, np.generic)):
        return _array_initializer(identifier)
    if inspect.isclass(identifier):
        if not issubclass(identifier, Initializer):
            raise ValueError(f"Could not interpret initializer identifier: {identifier}")
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(
        f"Could not interpret initializer identifier: {identifier!r}. Expected a name such as 'glorot_uniform', "
        "a config dict, an initializer object or a callable (shape, dtype=None)."
    )


__all__ = [cls.__name__ for cls in _CLASSES] + [
    "compute_fans", "constant", "deserialize", "get", "glorot_normal", "glorot_uniform", "he_normal", "he_uniform",
    "identity", "lecun_normal", "lecun_uniform", "ones", "orthogonal", "random_normal", "random_uniform",
    "serialize", "truncated_normal", "variance_scaling", "zeros",
]
