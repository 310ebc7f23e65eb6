"""Saving and loading models in Keras 3's file formats (``kernas.saving``).

* ``save_model(model, "model.keras")`` / ``load_model("model.keras")``: the
  ``.keras`` archive (architecture, weights, compile arguments and optimizer
  state), interchangeable with Keras 3's ``keras.saving`` functions.
* ``save_weights(model, "model.weights.h5")`` / ``load_weights(model, path)``:
  Keras 3's weights layout; ``load_weights`` and ``load_model`` also read
  legacy Keras 2 ``.h5`` files.
* ``register_keras_serializable`` / ``custom_objects``: the user classes a
  file may name. Loading never runs code from a file.

Every file is written atomically (a temporary beside the target, flushed,
then renamed over it), so a failed save never damages an existing file.
"""

from kernas.backend.registration import (
    CustomObjectScope,
    custom_object_scope,
    get_registered_name,
    get_registered_object,
    register_keras_serializable,
)
from kernas.saving.errors import FileExistsValueError, FileNotFoundValueError, IsADirectoryValueError
from kernas.saving.keras_archive import KERAS_VERSION, save_model
from kernas.saving.model_config import serialize_model
from kernas.saving.model_loading import load_model, model_from_json
from kernas.saving.weights_file import load_weights, save_weights

__all__ = [
    "CustomObjectScope",
    "FileExistsValueError",
    "FileNotFoundValueError",
    "IsADirectoryValueError",
    "KERAS_VERSION",
    "custom_object_scope",
    "get_registered_name",
    "get_registered_object",
    "load_model",
    "load_weights",
    "model_from_json",
    "register_keras_serializable",
    "save_model",
    "save_weights",
    "serialize_model",
]
