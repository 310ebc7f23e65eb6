"""``save_model``: the Keras 3 ``.keras`` archive.

A zip archive, entries stored uncompressed, written in Keras's order:
``metadata.json`` (``keras_version``, ``date_saved``), ``config.json`` (see
``model_config``) and ``model.weights.h5`` (see ``h5_layout``). Real Keras
loads it with ``keras.saving.load_model``.
"""

import datetime
import io
import json
import warnings
import zipfile

import h5py

from kernas.saving.archive_reader import CONFIG_ENTRY, METADATA_ENTRY, WEIGHTS_ENTRY
from kernas.saving.atomic import atomic_write, fspath
from kernas.saving.h5_layout import write_model_weights
from kernas.saving.model_config import model_to_json

# The Keras release whose file format kernas writes; Keras records its own version here.
KERAS_VERSION = "3.15.1"


def _metadata_json():
    return json.dumps({"keras_version": KERAS_VERSION,
                       "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S")})


def _weights_bytes(model):
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as h5file:
        write_model_weights(h5file, model)
    return buffer.getvalue()


def write_archive(model, fileobj):
    """Writes the ``.keras`` archive of ``model`` into a binary file object."""
    config_json = model_to_json(model)
    metadata_json = _metadata_json()
    weights = _weights_bytes(model)
    with zipfile.ZipFile(fileobj, "w") as archive:
        with archive.open(METADATA_ENTRY, "w") as entry:
            entry.write(metadata_json.encode())
        with archive.open(CONFIG_ENTRY, "w") as entry:
            entry.write(config_json.encode())
        archive.writestr(WEIGHTS_ENTRY, weights)


def archive_bytes(model):
    """The ``.keras`` archive of ``model`` as bytes (what pickling a model stores)."""
    buffer = io.BytesIO()
    with model._use.reading("pickle"):
        write_archive(model, buffer)
    return buffer.getvalue()


def _check_save_arguments(path, zipped, kwargs):
    kwargs.pop("include_optimizer", None)  # Keras uses it for legacy .h5 files only
    save_format = kwargs.pop("save_format", None)
    if save_format:
        raise ValueError("The `save_format` argument is deprecated in Keras 3. Please remove this argument and pass a "
                         f"file path with a `.keras` extension. Received: save_format={save_format}")
    if kwargs:
        raise ValueError(f"The following argument(s) are not supported: {list(kwargs.keys())}")
    if zipped is False:
        raise ValueError("kernas writes zipped `.keras` files only. Received: zipped=False. Remove the argument "
                         "(or pass zipped=True) and a path ending in `.keras`.")
    if path is None:
        return
    if path.endswith((".h5", ".hdf5")):
        raise ValueError(
            f"kernas writes only the native Keras format (`.keras`); it reads legacy HDF5 model files "
            f"(`kernas.models.load_model('model.h5')`) but does not write them. Received: filepath={path}. Use e.g. "
            "`model.save('my_model.keras')`, or `model.save_weights('my_model.weights.h5')` for the weights."
        )
    if not path.endswith(".keras"):
        raise ValueError(f"Invalid `filepath` argument: expected a `.keras` extension. Received: filepath={path}")


def save_model(model, filepath, overwrite=True, zipped=None, **kwargs):
    """Saves a model as a Keras 3 ``.keras`` file: architecture, weights, compile arguments, optimizer state.

    A path is written atomically: a failure leaves an existing file intact.

    Args:
        model: a ``kernas.Sequential``.
        filepath: a ``str`` or ``os.PathLike`` ending in ``.keras``, or a
            binary file object (written as is, not atomically).
        overwrite: when False, an existing file raises ``FileExistsError``
            (also a ``ValueError``) instead of being replaced.
        zipped: ``None`` or ``True`` (kernas writes zipped archives only).
        include_optimizer: accepted as Keras does and ignored (it concerns
            legacy ``.h5`` files); the optimizer state is always saved.

    Example:
        >>> model.save("model.keras")
    """
    is_file_object = hasattr(filepath, "write") and not isinstance(filepath, (str, bytes))
    path = None if is_file_object else fspath(filepath)
    _check_save_arguments(path, zipped, dict(kwargs))
    if not model.built:
        warnings.warn("You are saving a model that has not yet been built. It might not contain any weights yet. "
                      "Consider building the model first by calling it on some data.", stacklevel=2)
    def write(temporary):
        with open(temporary, "wb") as fileobj:
            write_archive(model, fileobj)

    # Another thread's training would mix two steps' weights into the file.
    with model._use.reading("save"):
        if is_file_object:
            write_archive(model, filepath)
        else:
            atomic_write(path, write, overwrite)
