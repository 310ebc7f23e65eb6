"""Saving models in Keras 3's file formats (``kernas.saving``).

* ``save_model(model, "model.keras")``: the ``.keras`` archive (architecture,
  weights, compile arguments and optimizer state) that real Keras 3 loads with
  ``keras.saving.load_model``.
* ``save_weights(model, "model.weights.h5")`` / ``load_weights(model, path)``:
  Keras 3's weights layout, read from files written by kernas or by Keras.

Every file is written atomically (a temporary beside the target, flushed,
then renamed over it), so a failed save never damages an existing file.
"""

from kernas.saving.atomic import FileExistsValueError
from kernas.saving.keras_archive import KERAS_VERSION, save_model
from kernas.saving.model_config import serialize_model
from kernas.saving.weights_file import load_weights, save_weights

__all__ = ["FileExistsValueError", "KERAS_VERSION", "load_weights", "save_model", "save_weights", "serialize_model"]
