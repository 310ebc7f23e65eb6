"""Keras 2 model configs (the ``model_config`` of a legacy HDF5 file) as the Sequential config kernas builds from.

Keras 2 wrote layer configs that differ from Keras 3's in a few ways, and
Keras 3 converts them on load; so does this module:

* ``batch_input_shape`` on an ``InputLayer`` is its ``batch_shape``; on the
  first layer of a model without an ``InputLayer`` it becomes an
  ``InputLayer`` of that shape (Keras 2 also repeats it on the first layer
  after an ``InputLayer``, where it says nothing new and is dropped);
* ``axis`` as a one-element list (BatchNormalization) is that int;
* layer entries have no ``module`` key, initializers are
  ``{"class_name": "GlorotUniform", "config": {"seed": null}}`` and ``dtype``
  is a plain string: kernas's layers take those as they are.

Only Sequential models are accepted, and only layer classes that are
kernas's own or that the user registered (or passes as ``custom_objects``
around the call): nothing in the file decides which code runs.
"""

from kernas.backend.serialization import config_class
from kernas.layers import Layer, get_layer_class


def _layer_entry(entry, index):
    """``(class_name, config copy)`` of one entry of the ``layers`` list, checked."""
    if not isinstance(entry, dict) or not isinstance(entry.get("class_name"), str):
        raise ValueError(f"Expected layer #{index} of the legacy model config to be a dict with a 'class_name'. "
                         f"Received: {str(entry)[:200]}. The file is corrupt.")
    config = entry.get("config", {})
    if not isinstance(config, dict):
        raise ValueError(f"Expected the 'config' of layer #{index} ('{entry['class_name']}') of the legacy model "
                         f"config to be a dict. Received: {str(config)[:200]}. The file is corrupt.")
    class_name = entry["class_name"]
    try:
        # Keras 2 entries carry no module: the name alone must be kernas's or a class the user registered.
        config_class({"class_name": class_name}, Layer, "layer", get_layer_class)
    except ValueError as error:
        raise ValueError(f"Cannot load layer #{index} (name={config.get('name')!r}) of the legacy HDF5 model: "
                         f"{error}") from None
    return class_name, dict(config)


def _serialized(class_name, config):
    return {"class_name": class_name, "config": config}


def _input_layer(batch_shape, name):
    config = {"batch_shape": batch_shape, "dtype": "float32", "sparse": False, "ragged": False}
    if isinstance(name, str) and name:
        # Keras 2's name for the input it added in front of the first layer.
        config["name"] = f"{name}_input"
    return _serialized("InputLayer", config)


def _convert_layers(entries):
    layers = []
    for index, entry in enumerate(entries):
        class_name, config = _layer_entry(entry, index)
        batch_input_shape = config.pop("batch_input_shape", None)
        if class_name == "InputLayer":
            if batch_input_shape is not None and config.get("batch_shape") is None:
                config["batch_shape"] = batch_input_shape
        elif batch_input_shape is not None and not layers:
            layers.append(_input_layer(batch_input_shape, config.get("name")))
        axis = config.get("axis")
        if isinstance(axis, list) and len(axis) == 1:
            config["axis"] = axis[0]
        layers.append(_serialized(class_name, config))
    return layers


def sequential_config(model_config):
    """``{"class_name": "Sequential", "config": {...}}`` for ``kernas.Sequential.from_config``.

    Args:
        model_config: the parsed ``model_config`` of a legacy HDF5 file,
            ``{"class_name": "Sequential", "config": {"name": ..., "layers": [...]}}``
            (Keras 2 before 2.2.3 wrote the ``layers`` list as the config itself).

    Raises:
        ValueError: not a Sequential model, a layer class kernas does not
            provide, or a malformed config.
    """
    if not isinstance(model_config, dict) or not isinstance(model_config.get("class_name"), str):
        raise ValueError(f"Expected the legacy model config to be a dict with a 'class_name'. Received: "
                         f"{str(model_config)[:200]}. The file is corrupt.")
    class_name = model_config["class_name"]
    if class_name != "Sequential":
        detail = "Keras's functional API" if class_name in ("Functional", "Model") else "not a kernas model class"
        raise ValueError(f"Expected a Sequential model in the legacy HDF5 file. Received: class_name='{class_name}' "
                         f"({detail}). kernas supports only Sequential models: build the same stack of layers as "
                         "a kernas.Sequential and load the file's weights with `model.load_weights(path)`.")
    config = model_config.get("config")
    if isinstance(config, list):
        config = {"layers": config}
    if not isinstance(config, dict) or not isinstance(config.get("layers"), list):
        raise ValueError(f"Expected the legacy Sequential config to hold a 'layers' list. Received: "
                         f"{str(config)[:200]}. The file is corrupt.")
    converted = {"layers": _convert_layers(config["layers"])}
    for key in ("name", "trainable"):
        if key in config:
            converted[key] = config[key]
    has_input = bool(converted["layers"]) and converted["layers"][0]["class_name"] == "InputLayer"
    if not has_input and isinstance(config.get("build_input_shape"), list):
        converted["build_input_shape"] = config["build_input_shape"]
    return {"class_name": "Sequential", "config": converted}


# Keras 2.11+ wrote its built-in optimizers under the "Custom" package and kept two keys Keras 3 dropped.
_KERAS2_OPTIMIZER_PACKAGE = "Custom>"
_KERAS2_ONLY_OPTIMIZER_KEYS = ("jit_compile", "is_legacy_optimizer")


def _optimizer_config(optimizer):
    if not isinstance(optimizer, dict):
        return optimizer
    optimizer = dict(optimizer)
    class_name = optimizer.get("class_name")
    if isinstance(class_name, str) and class_name.startswith(_KERAS2_OPTIMIZER_PACKAGE):
        optimizer["class_name"] = class_name[len(_KERAS2_OPTIMIZER_PACKAGE):]
    config = dict(optimizer.get("config") or {})
    for key in _KERAS2_ONLY_OPTIMIZER_KEYS:
        config.pop(key, None)
    if "lr" in config:  # Keras before 2.3
        config.setdefault("learning_rate", config.pop("lr"))
    decay = config.pop("decay", 0.0)
    if decay:
        raise ValueError(f"The legacy optimizer uses Keras 2's per-step `decay`={decay}, which Keras 3 and kernas "
                         "replaced by learning rate schedules. Load with compile=False and compile with e.g. "
                         "kernas.optimizers.schedules.InverseTimeDecay.")
    optimizer["config"] = config
    return optimizer


def _single_output(metrics):
    # Keras 2 wrote one list of metrics per output; a Sequential model has one output.
    if isinstance(metrics, list) and len(metrics) == 1 and isinstance(metrics[0], list):
        return metrics[0]
    return metrics


def compile_config(training_config):
    """A legacy file's ``training_config`` as the Keras 3 ``compile_config`` that ``compile_from_config`` takes."""
    if not isinstance(training_config, dict):
        raise ValueError(f"Expected the legacy `training_config` to be a JSON object. Received: "
                         f"{type(training_config).__name__}. Pass compile=False to load the model uncompiled.")
    config = {key: training_config[key] for key in ("loss", "loss_weights") if key in training_config}
    for key in ("metrics", "weighted_metrics"):
        if key in training_config:
            config[key] = _single_output(training_config[key])
    config["optimizer"] = _optimizer_config(training_config.get("optimizer_config"))
    return config
