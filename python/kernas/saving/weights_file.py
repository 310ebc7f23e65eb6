"""``save_weights`` / ``load_weights``: Keras 3's ``.weights.h5`` files (and the weights of a ``.keras`` file)."""

import contextlib
import os

import h5py

from kernas.saving import hdf5_probe, legacy_h5
from kernas.saving.archive_reader import KerasArchive
from kernas.saving.atomic import atomic_write, fspath
from kernas.saving.errors import FileNotFoundValueError
from kernas.saving.h5_layout import read_model_weights, require_built, write_model_weights

# Slack for an archive whose weights file also holds groups this model does not use.
_ARCHIVE_SLACK_BYTES = 64 << 20


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
    require_built(model, "saving")

    def write(temporary):
        with h5py.File(temporary, "w") as h5file:
            write_model_weights(h5file, model)

    with model._use.reading("save_weights"):
        atomic_write(path, write, overwrite)


def weights_size_limit(model):
    """The largest weights file that can belong to ``model``: a genuine one is about the size of its state.

    A larger member is refused before it is decompressed into memory.
    """
    total = sum(v.value.nbytes for v in model.weights)
    optimizer = getattr(model, "optimizer", None)
    if optimizer is not None:
        total += sum(v.value.nbytes for v in optimizer.variables)
    return 16 * total + _ARCHIVE_SLACK_BYTES


def _archive_weights(path, model):
    """The ``model.weights.h5`` inside the ``.keras`` archive at ``path``, read with a size cap."""
    with KerasArchive(path, f"filepath={path}") as archive:
        return archive.weights(weights_size_limit(model))


def _h5_source(path, label):
    """``(source, legacy)``: a legacy file's bytes once ``hdf5_probe`` walked them, a Keras 3 file's path."""
    # Telling the layouts apart reads attribute names, not values: libhdf5 survived every single-byte
    # corruption of the legacy fixtures there, while reading values crashed it (see hdf5_probe).
    with open_h5(path, label) as h5file:
        legacy = legacy_h5.is_legacy(h5file)
    return (hdf5_probe.probed_file(path, label), True) if legacy else (path, False)


@contextlib.contextmanager
def open_h5(source, label):
    """An HDF5 file opened for reading; ValueError (not h5py's OSError) when it is not one."""
    try:
        h5file = h5py.File(source, "r")
    # OverflowError: h5py's driver for in-memory files, asked for an offset that no file has.
    except (OSError, ValueError, OverflowError) as error:
        raise ValueError(f"Expected an HDF5 weights file. Received: {label}, which is not a valid HDF5 file "
                         f"({error}). The file is truncated or of another kind.") from None
    with h5file:
        try:
            yield h5file
        # h5py reports damaged internal structures (symbol tables, B-trees, headers) this way.
        except (OSError, RuntimeError, OverflowError) as error:
            raise ValueError(f"Expected a readable HDF5 weights file. Received: {label}, whose internal structure "
                             f"is damaged ({error}). The file is corrupt; save it again.") from None


def load_weights(model, filepath, skip_mismatch=False, **kwargs):
    """Loads weights saved by ``save_weights`` or ``save`` (kernas or Keras 3) into a built model.

    Layers are matched as Keras matches them: by class and rank among the
    layers of that class (``dense``, ``dense_1``, ...), so layers without
    weights may be added or removed. Every count and shape is checked before
    anything changes; the compiled optimizer's state loads too when the file
    has it and the optimizer is built for the same variables.

    Args:
        model: a built ``kernas.Sequential``.
        filepath: a ``.weights.h5`` or ``.keras`` file, or a legacy Keras
            ``.h5`` / ``.hdf5`` file (weights-only or whole model).
        skip_mismatch: skip (with a warning) layers whose saved variables
            do not match in number or shape, instead of raising.
        by_name: legacy files only: match layers by name instead of by
            position among the layers that have weights.

    Example:
        >>> model.load_weights("model.weights.h5")
    """
    path = fspath(filepath)
    objects_to_skip = kwargs.pop("objects_to_skip", None)
    by_name = kwargs.pop("by_name", None)
    if kwargs:
        raise ValueError(f"Invalid keyword arguments: {kwargs}")
    if not path.endswith((".keras", ".h5", ".hdf5")):
        raise ValueError(f"File format not supported: filepath={path}. kernas reads Keras 3 `.keras` and "
                         "`.weights.h5` files, and legacy Keras `.h5` / `.hdf5` weights.")
    if objects_to_skip is not None:
        raise ValueError(f"kernas does not support `objects_to_skip`. Received: objects_to_skip="
                         f"{objects_to_skip!r}. Remove the argument.")
    require_built(model, "loading weights into")
    if not os.path.isfile(path):
        raise FileNotFoundValueError(f"Expected an existing weights file. Received: filepath={path}, which does "
                                     "not exist or is not a file.")
    label = f"filepath={path}"
    if path.endswith(".keras"):
        source, legacy = _archive_weights(path, model), False
    else:
        source, legacy = _h5_source(path, label)
    with model._use.changing("load_weights"), open_h5(source, label) as h5file:
        # Asked again of the bytes probed: a file replaced since the first look is read as it is now.
        if legacy and legacy_h5.is_legacy(h5file):
            legacy_h5.read_legacy_weights(h5file, model, skip_mismatch=skip_mismatch, by_name=bool(by_name))
            return
        if by_name is not None:
            raise ValueError(f"`by_name` only supports loading legacy '.h5' or '.hdf5' files. Received: {path}, "
                             "a Keras 3 weights file.")
        read_model_weights(h5file, model, skip_mismatch=skip_mismatch)
