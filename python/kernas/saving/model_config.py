"""The ``config.json`` of a ``.keras`` file: the model serialized as Keras 3 serializes it.

``{"module": "keras", "class_name": "Sequential", "config": model.get_config(),
"registered_name": null, "build_config": {"input_shape": [...]},
"compile_config": {...}}``; ``build_config`` only for a built model and
``compile_config`` ``{}`` for a model that was not compiled, as Keras writes them.
"""

import json
import numbers

import numpy as np

from kernas.backend.serialization import serialize_function


def _build_config(model):
    if not model.built:
        return None
    return {"input_shape": list(model.input_shape)}


def _serialize_object(obj, module, package):
    """A compile argument (name, config dict, object or function) in Keras's serialized form."""
    if obj is None or isinstance(obj, (str, bool, numbers.Number, dict)):
        return obj
    if isinstance(obj, (list, tuple)):
        return [_serialize_object(item, module, package) for item in obj]
    serialize = getattr(package, "serialize", None)
    if hasattr(obj, "get_config"):
        if serialize is not None:
            return serialize(obj)
        return {"module": module, "class_name": type(obj).__name__, "config": obj.get_config(),
                "registered_name": None}
    if callable(obj) and hasattr(obj, "__name__"):
        return serialize_function(obj)
    raise TypeError(f"Expected compile arguments kernas can serialize (names, config dicts, kernas objects or "
                    f"functions). Received: {obj!r} (of type {type(obj).__name__}).")


def compile_config(model):
    """Keras's ``compile_config``: the compile arguments, serialized; ``{}`` if the model was not compiled."""
    if not getattr(model, "compiled", False):
        return {}
    from kernas import losses, metrics, optimizers

    raw = model.compile_arguments()
    optimizer = raw.get("optimizer")
    return {
        "optimizer": optimizer if isinstance(optimizer, dict) else optimizers.serialize(model.optimizer),
        "loss": _serialize_object(raw.get("loss"), "keras.losses", losses),
        "loss_weights": raw.get("loss_weights"),
        "metrics": _serialize_object(raw.get("metrics"), "keras.metrics", metrics),
        "weighted_metrics": _serialize_object(raw.get("weighted_metrics"), "keras.metrics", metrics),
        # kernas always runs eagerly, one step per call, without compilation: Keras's values for that.
        "run_eagerly": False,
        "steps_per_execution": 1,
        "jit_compile": False,
    }


def serialize_model(model):
    """The dict ``config.json`` holds for ``model``."""
    config = {"module": "keras", "class_name": type(model).__name__, "config": model.get_config(),
              "registered_name": None}
    build_config = _build_config(model)
    if build_config is not None:
        config["build_config"] = build_config
    config["compile_config"] = compile_config(model)
    return config


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"Expected JSON-serializable config values. Received: {value!r} (of type "
                    f"{type(value).__name__}). A layer's get_config() must return plain Python values.")


def model_to_json(model, **kwargs):
    """``config.json``'s text (``kwargs`` go to ``json.dumps``)."""
    return json.dumps(serialize_model(model), default=_json_default, **kwargs)
