"""Keras 3 optimizers on kernas's fused multi-tensor update kernels (``kernas.optimizers``)."""

from kernas.backend import serialization
from kernas.optimizers import schedules
from kernas.optimizers.adagrad import Adagrad
from kernas.optimizers.adam import Adam
from kernas.optimizers.adamw import AdamW
from kernas.optimizers.optimizer import Optimizer
from kernas.optimizers.rmsprop import RMSprop
from kernas.optimizers.sgd import SGD

_OPTIMIZERS = {cls.__name__.lower(): cls for cls in (SGD, Adam, AdamW, RMSprop, Adagrad)}
# Keras 3 optimizers kernas does not provide, so their names get a precise error.
_KERAS_ONLY = ("Adadelta", "Adafactor", "Adamax", "Ftrl", "Lamb", "Lion", "LossScaleOptimizer", "Muon", "Nadam",
               "ScheduleFreeAdamW")
_SUPPORTED = "SGD, Adam, AdamW, RMSprop, Adagrad"


def serialize(optimizer):
    """Keras's serialized form of an optimizer: ``{"module", "class_name", "config", "registered_name"}``.

    Example:
        >>> serialize(Adam())["class_name"]
        'Adam'
    """
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"Expected a kernas optimizer. Received: optimizer={optimizer!r}.")
    return serialization.serialize_object(optimizer, "optimizers")


def _optimizer_class(class_name):
    cls = _OPTIMIZERS.get(class_name.lower()) if isinstance(class_name, str) else None
    if cls is not None:
        return cls
    keras_only = [name for name in _KERAS_ONLY if isinstance(class_name, str) and name.lower() == class_name.lower()]
    if keras_only:
        raise ValueError(f"The Keras optimizer '{keras_only[0]}' is not supported by kernas. Received: "
                         f"{class_name!r}. kernas supports: {_SUPPORTED} (names are case-insensitive).")
    raise ValueError(f"Could not interpret optimizer identifier: {class_name!r}. kernas supports: {_SUPPORTED} "
                     "(names are case-insensitive).")


def deserialize(config, custom_objects=None):
    """The optimizer described by a Keras config dict (``class_name`` case-insensitive).

    Args:
        config: ``{"class_name": ..., "config": {...}}`` as ``serialize``
            (or Keras) writes it.
        custom_objects: classes for custom learning rate schedules, by name.

    Example:
        >>> optimizer = deserialize({"class_name": "adam", "config": {"learning_rate": 0.01}})
    """
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError("Expected an optimizer config dict with 'class_name' and 'config'. "
                         f"Received: config={config!r}.")
    inner = config.get("config") or {}
    if not isinstance(inner, dict):
        raise ValueError("Expected the optimizer config's 'config' entry to be a dict of constructor arguments. "
                         f"Received: config={inner!r}.")
    cls = serialization.config_class(config, Optimizer, "optimizer", _optimizer_class)
    return cls.from_config(dict(inner), custom_objects=custom_objects)


def get(identifier):
    """An optimizer from a name (``"adam"``), a config dict, or an instance (returned as is).

    Example:
        >>> get("rmsprop").get_config()["learning_rate"]
        0.0010000000474974513
    """
    if identifier is None:
        return None
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        return _optimizer_class(identifier)()
    raise ValueError(f"Could not interpret optimizer identifier: {identifier!r}. Expected a name ({_SUPPORTED}), "
                     "a config dict or an optimizer instance.")


__all__ = ["Adagrad", "Adam", "AdamW", "Optimizer", "RMSprop", "SGD", "deserialize", "get", "schedules",
           "serialize"]
