"""``save_weights`` / ``load_weights``: Keras 3's ``.weights.h5`` files (and the weights of a ``.keras`` file)."""

import contextlib
import io
import os
import zipfile

import h5py

from kernas.saving.atomic import atomic_write, fspath
from kernas.saving.h5_layout import read_model_weights, write_model_weights

WEIGHTS_ENTRY = "model.weights.h5"
# Slack for an archive whose weights file also holds groups this model does not use.
_ARCHIVE_SLACK_BYTES = 64 << 20


def _require_built(model, action):
    if not model.built:
        raise ValueError(
            f"You are {action} a model that has not yet been built. Try building the model first by calling it "
            "on some data or by using `build()`."
        )


def save_weights(model, filepath, overwrite=True, max_shard_size=None):
    """Saves the model's weights (and compiled optimizer state) to a Keras 3 ``.weights.h5`` file.

    The file is written atomically: a failure leaves an existing file intact.

    Args:
        model: a built ``kernas.Sequential``.
        filepath: a ``str`` or ``os.PathLike`` ending in ``.weights.h5``.
        overwrite: when False, an existing file raises ``FileExistsError``
            (also a ``ValueError``) instead of being replaced.
        max_shard_size: must be ``None`` (kernas writes single files).

    Example:
        >>> model.save_weights("model.weights.h5")
    """
    path = fspath(filepath)
    if max_shard_size is not None:
        raise ValueError(f"kernas writes a single `.weights.h5` file; sharded weights are not supported. "
                         f"Received: max_shard_size={max_shard_size!r}. Remove the argument.")
    if not path.endswith(".weights.h5"):
        raise ValueError(f"The filename must end in `.weights.h5`. Received: filepath={path}")
    _require_built(model, "saving")

    def write(temporary):
        with h5py.File(temporary, "w") as h5file:
            write_model_weights(h5file, model)

    atomic_write(path, write, overwrite)


def _model_bytes(model):
    total = sum(v.value.nbytes for v in model.weights)
    optimizer = getattr(model, "optimizer", None)
    if optimizer is not None:
        total += sum(v.value.nbytes for v in optimizer.variables)
    return total


def _archive_weights(path, model):
    """The bytes of ``model.weights.h5`` inside the ``.keras`` archive at ``path``, read with a size cap."""
    try:
        archive = zipfile.ZipFile(path, "r")
    except (zipfile.BadZipFile, OSError) as error:
        raise ValueError(f"Expected a `.keras` file (a zip archive). Received: filepath={path}, which cannot be "
                         f"opened as one ({error}).") from None
    with archive:
        try:
            info = archive.getinfo(WEIGHTS_ENTRY)
        except KeyError:
            raise ValueError(f"Expected a `.keras` file holding '{WEIGHTS_ENTRY}'. Received: filepath={path}, "
                             f"whose entries are {archive.namelist()}.") from None
        # A genuine weights file is about the size of the model's state; anything far larger is refused
        # before it is decompressed into memory.
        limit = 16 * _model_bytes(model) + _ARCHIVE_SLACK_BYTES
        if info.file_size > limit:
            raise ValueError(f"Expected '{WEIGHTS_ENTRY}' in {path} to be at most {limit} bytes for this model. "
                             f"Received: {info.file_size} bytes. The file does not belong to this model.")
        try:
            with archive.open(info) as entry:
                data = entry.read(limit + 1)
        # zipfile raises NotImplementedError for a compression method it lacks, RuntimeError for encryption.
        except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as error:
            raise ValueError(f"Expected a readable '{WEIGHTS_ENTRY}' in {path}. Received: {error}.") from None
        if len(data) > limit:
            raise ValueError(f"Expected '{WEIGHTS_ENTRY}' in {path} to be at most {limit} bytes for this model. "
                             "Received more. The file does not belong to this model.")
    return io.BytesIO(data)


@contextlib.contextmanager
def _open_h5(source, path):
    try:
        h5file = h5py.File(source, "r")
    except (OSError, ValueError) as error:
        raise ValueError(f"Expected a Keras 3 weights file (HDF5). Received: filepath={path}, which is not a "
                         f"valid HDF5 file ({error}).") from None
    with h5file:
        yield h5file


def load_weights(model, filepath, skip_mismatch=False, **kwargs):
    """Loads weights saved by ``save_weights`` or ``save`` (kernas or Keras 3) into a built model.

    Layers are matched as Keras matches them: by class and rank among the
    layers of that class (``dense``, ``dense_1``, ...), so layers without
    weights may be added or removed. Every count and shape is checked before
    anything changes; the compiled optimizer's state loads too when the file
    has it and the optimizer is built for the same variables.

    Args:
        model: a built ``kernas.Sequential``.
        filepath: a ``.weights.h5`` or ``.keras`` file.
        skip_mismatch: skip (with a warning) layers whose saved variables
            do not match in number or shape, instead of raising.

    Example:
        >>> model.load_weights("model.weights.h5")
    """
    path = fspath(filepath)
    objects_to_skip = kwargs.pop("objects_to_skip", None)
    by_name = kwargs.pop("by_name", None)
    if kwargs:
        raise ValueError(f"Invalid keyword arguments: {kwargs}")
    if path.endswith((".keras", ".weights.h5")):
        if by_name is not None:
            raise ValueError(f"`by_name` only supports loading legacy '.h5' or '.hdf5' files. Received: {path}")
        if objects_to_skip is not None:
            raise ValueError(f"kernas does not support `objects_to_skip`. Received: objects_to_skip="
                             f"{objects_to_skip!r}. Remove the argument.")
    elif path.endswith((".h5", ".hdf5")):
        raise ValueError(
            f"kernas reads Keras 3 `.weights.h5` and `.keras` files; legacy Keras 2 HDF5 weights ('.h5', '.hdf5') "
            f"are not supported yet (a later release reads them). Received: filepath={path}. Re-save the weights "
            "with Keras 3: `model.save_weights('model.weights.h5')`."
        )
    else:
        raise ValueError(f"File format not supported: filepath={path}. kernas reads Keras 3 `.keras` and "
                         "`.weights.h5` files.")
    _require_built(model, "loading weights into")
    if not os.path.isfile(path):
        raise FileNotFoundError(f"Expected an existing weights file. Received: filepath={path}, which does not "
                                "exist or is not a file.")
    source = _archive_weights(path, model) if path.endswith(".keras") else path
    with _open_h5(source, path) as h5file:
        read_model_weights(h5file, model, skip_mismatch=skip_mismatch)
