"""Learning rate schedules (``kernas.optimizers.schedules``), Keras 3's formulas in float32."""

from kernas.optimizers.schedules.cosine_decay import CosineDecay
from kernas.optimizers.schedules.cosine_decay_restarts import CosineDecayRestarts
from kernas.optimizers.schedules.exponential_decay import ExponentialDecay
from kernas.optimizers.schedules.inverse_time_decay import InverseTimeDecay
from kernas.optimizers.schedules.learning_rate_schedule import LearningRateSchedule
from kernas.optimizers.schedules.piecewise_constant_decay import PiecewiseConstantDecay
from kernas.optimizers.schedules.polynomial_decay import PolynomialDecay

_SCHEDULES = {cls.__name__: cls for cls in (CosineDecay, CosineDecayRestarts, ExponentialDecay, InverseTimeDecay,
                                            PiecewiseConstantDecay, PolynomialDecay)}
_MODULE = "keras.optimizers.schedules"


def serialize(learning_rate_schedule):
    """Keras's serialized form of a schedule: ``{"module", "class_name", "config", "registered_name"}``.

    Example:
        >>> serialize(ExponentialDecay(0.1, decay_steps=1000, decay_rate=0.96))["class_name"]
        'ExponentialDecay'
    """
    if not isinstance(learning_rate_schedule, LearningRateSchedule):
        raise TypeError("Expected a `LearningRateSchedule` instance. Received: "
                        f"learning_rate_schedule={learning_rate_schedule!r}.")
    cls = type(learning_rate_schedule)
    if _SCHEDULES.get(cls.__name__) is cls:
        module, registered_name = _MODULE, None
    else:
        module, registered_name = cls.__module__, cls.__name__
    return {"module": module, "class_name": cls.__name__, "config": learning_rate_schedule.get_config(),
            "registered_name": registered_name}


def deserialize(config, custom_objects=None):
    """The schedule described by ``serialize``'s output (a built-in, or a class in ``custom_objects``).

    Example:
        >>> schedule = deserialize({"class_name": "PolynomialDecay",
        ...                         "config": {"initial_learning_rate": 0.1, "decay_steps": 10000}})
    """
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError("Expected a schedule config dict with 'class_name' and 'config'. "
                         f"Received: config={config!r}.")
    class_name = config["class_name"]
    custom_objects = custom_objects or {}
    cls = custom_objects.get(config.get("registered_name") or class_name) or custom_objects.get(class_name)
    if cls is None:
        cls = _SCHEDULES.get(class_name)
    if cls is None:
        raise ValueError(f"Unknown decay: '{class_name}'. kernas provides: {', '.join(sorted(_SCHEDULES))}; "
                         "pass other LearningRateSchedule subclasses in `custom_objects`.")
    return cls.from_config(dict(config.get("config", {})))


__all__ = ["CosineDecay", "CosineDecayRestarts", "ExponentialDecay", "InverseTimeDecay", "LearningRateSchedule",
           "PiecewiseConstantDecay", "PolynomialDecay", "deserialize", "serialize"]
