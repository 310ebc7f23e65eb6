"""Learning rate schedules (``kernas.optimizers.schedules``), Keras 3's formulas in float32."""

from kernas.backend import serialization
from kernas.backend.registration import custom_object_scope

from kernas.optimizers.schedules.cosine_decay import CosineDecay
from kernas.optimizers.schedules.cosine_decay_restarts import CosineDecayRestarts
from kernas.optimizers.schedules.exponential_decay import ExponentialDecay
from kernas.optimizers.schedules.inverse_time_decay import InverseTimeDecay
from kernas.optimizers.schedules.learning_rate_schedule import LearningRateSchedule
from kernas.optimizers.schedules.piecewise_constant_decay import PiecewiseConstantDecay
from kernas.optimizers.schedules.polynomial_decay import PolynomialDecay

_SCHEDULES = {cls.__name__: cls for cls in (CosineDecay, CosineDecayRestarts, ExponentialDecay, InverseTimeDecay,
                                            PiecewiseConstantDecay, PolynomialDecay)}


def serialize(learning_rate_schedule):
    """Keras's serialized form of a schedule: ``{"module", "class_name", "config", "registered_name"}``.

    Example:
        >>> serialize(ExponentialDecay(0.1, decay_steps=1000, decay_rate=0.96))["class_name"]
        'ExponentialDecay'
    """
    if not isinstance(learning_rate_schedule, LearningRateSchedule):
        raise TypeError("Expected a `LearningRateSchedule` instance. Received: "
                        f"learning_rate_schedule={learning_rate_schedule!r}.")
    return serialization.serialize_object(learning_rate_schedule, "optimizers.schedules")


def deserialize(config, custom_objects=None):
    """The schedule described by ``serialize``'s output (a built-in, or a class in ``custom_objects``).

    Example:
        >>> schedule = deserialize({"class_name": "PolynomialDecay",
        ...                         "config": {"initial_learning_rate": 0.1, "decay_steps": 10000}})
    """
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError("Expected a schedule config dict with 'class_name' and 'config'. "
                         f"Received: config={config!r}.")
    with custom_object_scope(custom_objects):
        cls = serialization.config_class(config, LearningRateSchedule, "learning rate schedule", _schedule_class)
    return cls.from_config(dict(config.get("config") or {}))


def _schedule_class(class_name):
    if class_name not in _SCHEDULES:
        raise ValueError(f"Unknown decay: '{class_name}'. kernas provides: {', '.join(sorted(_SCHEDULES))}; "
                         "pass other LearningRateSchedule subclasses in `custom_objects`.")
    return _SCHEDULES[class_name]


__all__ = ["CosineDecay", "CosineDecayRestarts", "ExponentialDecay", "InverseTimeDecay", "LearningRateSchedule",
           "PiecewiseConstantDecay", "PolynomialDecay", "deserialize", "serialize"]
