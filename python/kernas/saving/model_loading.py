"""``load_model`` and ``model_from_json``: a model back from a ``.keras`` file, a legacy ``.h5`` file or JSON.

Loading never runs code from the file: configs are JSON, weights are HDF5
datasets read as numbers, and the only classes instantiated are kernas's own
and those the caller registered or passed in ``custom_objects``.
"""

import io
import json
import os

from kernas.backend.registration import custom_object_scope
from kernas.backend.serialization import config_class
from kernas.backend.weight_budget import weight_budget
from kernas.saving import hdf5_probe, legacy_config, legacy_h5
from kernas.saving.archive_reader import CONFIG_ENTRY, WEIGHTS_ENTRY, KerasArchive
from kernas.saving.atomic import fspath
from kernas.saving.errors import FileNotFoundValueError, IsADirectoryValueError
from kernas.saving.h5_layout import read_model_weights
from kernas.saving.weights_file import open_h5, weights_size_limit


def _sequential_class(class_name):
    from kernas.models import Sequential

    if class_name == "Sequential":
        return Sequential
    if class_name in ("Functional", "Model"):
        raise ValueError(f"kernas builds Sequential models only. Received: a '{class_name}' model (Keras's "
                         "functional API), which kernas cannot load. Rebuild it as a Sequential model in Keras "
                         "and save it again.")
    raise ValueError(f"Unknown model class: '{class_name}'. kernas loads 'Sequential' models (and Sequential "
                     "subclasses you register or pass in custom_objects).")


def deserialize_model(config, custom_objects=None, compile=True):
    """The model a serialized model dict (``config.json``'s content) describes, compiled when it says so.

    Args:
        config: ``{"class_name": "Sequential", "config": {...}, "build_config": ...,
            "compile_config": ...}`` as Keras 3 writes it.
        custom_objects: ``{name: class}`` for user classes the config names.
        compile: whether to compile the model from its ``compile_config``.
    """
    from kernas.models import Sequential

    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Expected a serialized model: a dict with 'class_name' and 'config'. Received: "
                         f"{type(config).__name__} {str(config)[:200]}.")
    with custom_object_scope(custom_objects):
        cls = config_class(config, Sequential, "model", _sequential_class)
        model = cls.from_config(config.get("config"))
        build_config = config.get("build_config")
        if not model.built and isinstance(build_config, dict) and build_config.get("input_shape") is not None:
            model.build(build_config["input_shape"])
        compile_config = config.get("compile_config")
        if compile and compile_config:
            model.compile_from_config(compile_config)
    return model


def _load_archive(source, label, custom_objects, compile):
    with KerasArchive(source, label) as archive:
        config = archive.read_json(CONFIG_ENTRY)
        # Every weight the config declares must be stored in the weights file, so what that file can
        # hold bounds what building the model may allocate.
        with weight_budget(archive.member_capacity(WEIGHTS_ENTRY), label):
            model = deserialize_model(config, custom_objects, compile)
        weights = archive.weights(weights_size_limit(model))
    with open_h5(weights, label) as h5file:
        read_model_weights(h5file, model)
    return model


def _load_legacy(path, custom_objects, compile):
    label = f"filepath={path}"
    source = hdf5_probe.probed_file(path, label)
    with open_h5(source, label) as h5file, custom_object_scope(custom_objects):
        config, training_config = legacy_h5.legacy_model_config(h5file)
        with weight_budget(source.getbuffer().nbytes, label):
            model = deserialize_model(config, compile=False)
        legacy_h5.read_legacy_weights(h5file, model)
        if compile and training_config:
            model.compile_from_config(legacy_config.compile_config(training_config))
    return model


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """Loads a model saved by ``model.save`` (kernas or Keras 3), or a legacy Keras HDF5 model file.

    A compiled model comes back compiled with its optimizer state, so ``fit``
    continues where it stopped.

    Args:
        filepath: a ``.keras`` path (``str`` or ``os.PathLike``) or a binary
            file object holding one; or a legacy ``.h5`` / ``.hdf5`` path.
        custom_objects: ``{name: class}`` for user classes (layers, losses,
            metrics, ...) the file names; see also ``register_keras_serializable``.
        compile: whether to compile the model as it was saved.
        safe_mode: accepted for Keras compatibility. kernas always loads
            safely: it has no ``Lambda`` layer and never runs code from a file.

    Raises:
        ValueError: the file is missing, not a model kernas can read,
            corrupt, or names a class that is neither kernas's nor given.

    Example:
        >>> model = kernas.models.load_model("model.keras")
    """
    if not isinstance(safe_mode, bool):
        raise TypeError(f"Expected `safe_mode` to be a boolean. Received: safe_mode={safe_mode!r}.")
    if hasattr(filepath, "read") and not isinstance(filepath, (str, bytes)):
        return _load_archive(filepath, "the given file object", custom_objects, compile)
    path = fspath(filepath)
    if os.path.isdir(path):
        raise IsADirectoryValueError(f"Expected a model file. Received: filepath={path}, which is a directory. "
                                     "kernas loads `.keras` zip files and legacy `.h5` files.")
    if path.endswith((".keras", ".h5", ".hdf5")) and not os.path.isfile(path):
        raise FileNotFoundValueError(f"File not found: filepath={path}. Please ensure the file exists and is an "
                                     "accessible `.keras` zip file (or legacy `.h5` file).")
    if path.endswith(".keras"):
        return _load_archive(path, f"filepath={path}", custom_objects, compile)
    if path.endswith((".h5", ".hdf5")):
        return _load_legacy(path, custom_objects, compile)
    raise ValueError(f"File format not supported: filepath={path}. kernas loads Keras 3 `.keras` files and legacy "
                     "`.h5` / `.hdf5` model files.")


def load_model_from_bytes(data):
    """The model in a ``.keras`` archive held in memory (how pickled models come back)."""
    return _load_archive(io.BytesIO(data), "the pickled model", None, True)


def model_from_json(json_string, custom_objects=None):
    """The model ``model.to_json()`` describes (architecture only: weights are freshly initialized).

    Example:
        >>> clone = kernas.models.model_from_json(model.to_json())
    """
    if not isinstance(json_string, (str, bytes, bytearray)):
        raise TypeError(f"Expected a JSON string. Received: {type(json_string).__name__}.")
    try:
        config = json.loads(json_string)
    except (ValueError, RecursionError) as error:
        raise ValueError(f"Expected a JSON string as `model.to_json()` returns it. Received text that does not "
                         f"parse: {error}.") from None
    return deserialize_model(config, custom_objects)
