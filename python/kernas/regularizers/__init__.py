"""Keras's weight regularizers (``kernas.regularizers``): penalties and their gradients.

A regularizer object gives the penalty of a weight array (``reg(x) -> float``,
added to the training loss) and its gradient (``reg.gradient(x)``, a float32
array added to the weight's gradient).
"""

import inspect

from kernas.backend import serialization
from kernas.backend.naming import snake_case
from kernas.regularizers.regularizers import L1, L1L2, L2, OrthogonalRegularizer, Regularizer

_CLASSES = (Regularizer, L1, L2, L1L2, OrthogonalRegularizer)
_BY_NAME = {cls.__name__: cls for cls in _CLASSES}
_BY_NAME.update({snake_case(cls.__name__): cls for cls in _CLASSES})  # l1, l2, l1l2, orthogonal_regularizer
# keras.regularizers.l1_l2 is the class's public alias; accept it as a name too.
_BY_NAME["l1_l2"] = L1L2

# Keras's lower-case aliases of the classes.
l1, l2, l1_l2, orthogonal_regularizer = L1, L2, L1L2, OrthogonalRegularizer


def serialize(regularizer):
    """Keras's dict form: ``{"module": "keras.regularizers", "class_name", "config", "registered_name"}``."""
    if regularizer is None:
        return None
    if not isinstance(regularizer, Regularizer):
        raise TypeError(
            f"Expected a kernas.regularizers.Regularizer to serialize. Received: regularizer={regularizer!r}. "
            "Subclass Regularizer and implement get_config()."
        )
    return serialization.serialize_object(regularizer, "regularizers")


def deserialize(config):
    """The regularizer a Keras config dict describes."""
    return serialization.deserialize_object(config, _BY_NAME, Regularizer, "regularizer")


def get(identifier):
    """Resolves a regularizer identifier: ``None``, a name (``"l2"``), a config dict, a class or an object.

    Example:
        >>> get("l2")
        L2(l2=0.01)
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        return serialization.lookup(_BY_NAME, Regularizer, "regularizer", identifier)()
    if inspect.isclass(identifier) and issubclass(identifier, Regularizer):
        return identifier()
    if isinstance(identifier, Regularizer):
        return identifier
    raise ValueError(
        f"Could not interpret regularizer identifier: {identifier!r}. kernas needs a Regularizer "
        "(L1, L2, L1L2, OrthogonalRegularizer or a subclass with gradient()) so it can add the penalty's gradient."
    )


__all__ = ["L1", "L1L2", "L2", "OrthogonalRegularizer", "Regularizer", "deserialize", "get", "l1", "l1_l2", "l2",
           "orthogonal_regularizer", "serialize"]
