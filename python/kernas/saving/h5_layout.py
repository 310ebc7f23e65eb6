"""Keras 3's HDF5 weights layout, written and read for a ``Sequential`` model.

The layout (what ``keras.Model.save_weights`` writes, and the ``model.weights.h5``
inside a ``.keras`` archive)::

    /vars                         attrs name=<model name>; the model's own variables (none)
    /layers/<class>[_N]/vars      attrs name=<layer name>; datasets "0", "1", ...
    /optimizer/vars               attrs name=<optimizer name>; "0" iterations,
                                  "1" learning_rate, then the slots

Layers are addressed by the snake_case name of their class, numbered in model
order (``dense``, ``dense_1``, ...; the names users give layers play no part),
and a layer's variables by position: trainable ones first, then the others,
each group in creation order. Weightless layers get an empty ``vars`` group.
Reading follows Keras's matching rules: a layer takes the group its class and
rank name, groups no layer asks for are ignored, and counts and shapes must
match.
"""

import warnings

import h5py
import numpy as np

from kernas.backend.naming import snake_case


class MismatchError(ValueError):
    """A layer's (or the optimizer's) saved variables do not fit it; ``skip_mismatch`` may skip it."""


def require_built(model, action):
    """Refuses a model that has no weights yet to save or load (``action``: "saving", "loading weights into")."""
    if not model.built:
        raise ValueError(
            f"You are {action} a model that has not yet been built. Try building the model first by calling it "
            "on some data or by using `build()`."
        )


def keras_variable_order(layer):
    """The layer's variables in the order Keras saves them: trainable first, then non-trainable."""
    variables = layer.weights
    return [v for v in variables if v.trainable] + [v for v in variables if not v.trainable]


def layer_paths(layers):
    """``[(layer, "layers/<snake_case class>[_N]")]`` for the model's layers, numbered per class as Keras does."""
    used = {}
    paths = []
    for layer in layers:
        base = snake_case(type(layer).__name__)
        count = used.get(base)
        used[base] = 0 if count is None else count + 1
        name = base if count is None else f"{base}_{count + 1}"
        paths.append((layer, f"layers/{name}"))
    return paths


def model_optimizer(model):
    """The compiled model's optimizer, or ``None`` for a model that was not compiled."""
    return getattr(model, "optimizer", None) if getattr(model, "compiled", False) else None


# ----- writing -------------------------------------------------------------------------------------


def _write_vars(h5file, path, name, arrays):
    group = h5file.create_group(f"{path}/vars" if path else "vars")
    group.attrs["name"] = name
    for index, array in enumerate(arrays):
        group[str(index)] = array


def write_model_weights(h5file, model):
    """Writes the model's weights (and its optimizer's state when compiled) into an open, empty ``h5py.File``."""
    _write_vars(h5file, "", model.name, [])
    for layer, path in layer_paths(model.layers):
        _write_vars(h5file, path, layer.name, [v.value for v in keras_variable_order(layer)])
    optimizer = model_optimizer(model)
    if optimizer is not None:
        _write_vars(h5file, "optimizer", optimizer.name, [v.value for v in optimizer.variables])


# ----- reading -------------------------------------------------------------------------------------


def hard_child(group, name, kind):
    """``group[name]`` if it is a plain (hard-linked) object of ``kind``; ``None`` if absent."""
    where = f"{group.name.rstrip('/')}/{name}"
    try:
        link = group.get(name, getlink=True)
    except (OSError, RuntimeError, ValueError) as error:
        raise ValueError(f"Expected a readable HDF5 object at '{where}'. Received an unreadable one: {error}. "
                         "The weights file is corrupt; save it again.") from None
    if link is None:
        return None
    if not isinstance(link, h5py.HardLink):
        raise ValueError(f"Expected only plain groups and datasets in a weights file. Received: '{where}' is a "
                         f"{type(link).__name__}, which kernas does not follow (it could point outside the file).")
    try:
        obj = group[name]
    except (KeyError, OSError, RuntimeError, ValueError) as error:
        raise ValueError(f"Expected a readable HDF5 object at '{where}'. Received an unreadable one: {error}. "
                         "The weights file is corrupt; save it again.") from None
    if not isinstance(obj, kind):
        expected = "group" if kind is h5py.Group else "dataset"
        raise ValueError(f"Expected '{where}' to be an HDF5 {expected}. Received: {type(obj).__name__}.")
    return obj


def _vars_group(h5file, path):
    group = h5file
    for part in (path.split("/") if path else []) + ["vars"]:
        group = hard_child(group, part, h5py.Group)
        if group is None:
            return None
    return group


def read_dataset(group, key, variable, owner):
    dataset = hard_child(group, key, h5py.Dataset)
    where = f"{group.name}/{key}"
    if dataset is None:  # listed by the group, yet not there: a damaged symbol table
        raise ValueError(f"Expected a dataset at '{where}'. Received none. The weights file is corrupt; save it "
                         "again.")
    if dataset.external or dataset.is_virtual:
        raise ValueError(f"Expected the data of '{where}' to be stored inside the weights file. Received an "
                         "external or virtual dataset, which kernas does not read.")
    if dataset.dtype.kind not in "biuf":
        raise ValueError(f"Expected a numeric dataset at '{where}'. Received: dtype={dataset.dtype}.")
    if dataset.shape is None:
        raise ValueError(f"Expected a weight's values at '{where}'. Received an empty (null) dataset. The weights "
                         "file is corrupt; save it again.")
    # A compressed chunk is inflated whole, so a chunk far larger than its dataset is a bomb.
    if dataset.chunks is not None and any(c > max(d, 1) for c, d in zip(dataset.chunks, dataset.shape)):
        raise ValueError(f"Expected the storage chunks of '{where}' to fit its shape {tuple(dataset.shape)}. "
                         f"Received: chunks={dataset.chunks}. kernas refuses to inflate them.")
    if tuple(dataset.shape) != tuple(variable.shape):
        raise MismatchError(
            f"{owner} variable '{variable.name}' has shape {tuple(variable.shape)}, but the weights file holds "
            f"shape {tuple(dataset.shape)} at '{where}'. Build the model with the architecture the file was saved "
            "from, or pass skip_mismatch=True to skip it."
        )
    try:
        return np.asarray(dataset[()])
    except (OSError, RuntimeError, ValueError) as error:
        raise ValueError(f"Expected readable data at '{where}'. Received: {error}. The weights file is corrupt; "
                         "save it again.") from None


def _check_keys(group, count, owner, names):
    keys = list(group.keys()) if group is not None else []
    if len(keys) != count:
        raise MismatchError(
            f"{owner} expected {count} variables, but received {len(keys)} variables during loading. "
            f"Expected: {names}"
        )
    expected = {str(i) for i in range(count)}
    if set(keys) != expected:
        raise ValueError(f"Expected the datasets of '{group.name}' to be named {sorted(expected, key=int)}. "
                         f"Received: {sorted(keys)}.")


def _read_layer(h5file, layer, path):
    variables = keras_variable_order(layer)
    group = _vars_group(h5file, path)
    owner = f"Layer '{layer.name}'"
    _check_keys(group, len(variables), owner, [v.name for v in variables])
    return [(v, read_dataset(group, str(i), v, owner)) for i, v in enumerate(variables)]


def _read_optimizer(h5file, optimizer):
    group = _vars_group(h5file, "optimizer")
    if group is None:
        return []
    variables = optimizer.variables
    if optimizer.built and len(group.keys()) == len(optimizer.variables_before_build):
        # Saved before its first step: the slots built here hold exactly what that optimizer's would have.
        variables = optimizer.variables_before_build
    if len(group.keys()) != len(variables):
        # Keras's rule: an optimizer built for other variables (or not built yet) keeps its state.
        message = (f"Skipping variable loading for optimizer '{optimizer.name}', because it has {len(variables)} "
                   f"variables whereas the saved optimizer has {len(group.keys())} variables. ")
        if not getattr(optimizer, "built", True):
            message += "This is likely because the optimizer has not been called/built yet."
        warnings.warn(message, stacklevel=4)
        return []
    owner = f"Optimizer '{optimizer.name}'"
    _check_keys(group, len(variables), owner, [v.name for v in variables])
    return [(v, read_dataset(group, str(i), v, owner)) for i, v in enumerate(variables)]


def _check_root(h5file, model):
    if "layer_names" in h5file.attrs or "model_weights" in h5file:
        raise ValueError(
            "Expected Keras 3's weights layout inside a `.keras` file. Received the legacy Keras 2 HDF5 layout, "
            "which a `.keras` file never holds: the file was assembled by hand or is corrupt. Load the legacy "
            "weights file itself with `model.load_weights('model.h5')`."
        )
    if model.layers and hard_child(h5file, "layers", h5py.Group) is None:
        raise ValueError(
            "Expected a Keras 3 weights file with a 'layers' group. Received an HDF5 file whose top-level keys "
            f"are {sorted(h5file.keys())}. Load a file written by `model.save_weights(...)` or `model.save(...)`."
        )


def apply_loaded(assignments, failures, skip_mismatch):
    """Assigns what was read, all or nothing: failures raise, or with ``skip_mismatch`` warn and are left out.

    Args:
        assignments: ``[(variable, value)]`` read and checked from the file.
        failures: ``[(owner description, MismatchError)]`` for what did not fit.
    """
    if failures:
        details = "\n".join(f"- {owner}: {error}" for owner, error in failures)
        message = f"A total of {len(failures)} objects could not be loaded:\n{details}"
        if not skip_mismatch:
            raise ValueError(message + "\n\nNothing was loaded: the model's weights are unchanged. Pass "
                             "skip_mismatch=True to load the rest and skip these.")
        warnings.warn(message, stacklevel=4)
    for variable, value in assignments:
        variable.assign(value)


def read_model_weights(h5file, model, skip_mismatch=False):
    """Loads a Keras 3 weights layout from an open ``h5py.File`` into a built model.

    Everything is read and checked before any variable changes: on an error
    the model keeps its weights. With ``skip_mismatch``, layers whose saved
    variables do not fit are skipped with a warning and the rest load.

    Raises:
        ValueError: the file is not a Keras 3 weights file, is corrupt, or
            (without ``skip_mismatch``) a layer's variables do not fit.
    """
    _check_root(h5file, model)
    assignments = []
    failures = []
    for layer, path in layer_paths(model.layers):
        try:
            assignments += _read_layer(h5file, layer, path)
        except MismatchError as error:
            failures.append((f"<{type(layer).__name__} name={layer.name}> ({path})", error))
    optimizer = model_optimizer(model)
    if optimizer is not None:
        try:
            assignments += _read_optimizer(h5file, optimizer)
        except MismatchError as error:
            failures.append((f"<{type(optimizer).__name__} name={optimizer.name}> (optimizer)", error))
    apply_loaded(assignments, failures, skip_mismatch)
