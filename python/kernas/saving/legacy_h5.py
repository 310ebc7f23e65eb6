"""Legacy Keras HDF5 files, read-only: Keras 2's ``model.save("m.h5")`` / ``save_weights("w.h5")``.

Keras 3 still writes this layout when ``model.save`` is given an ``.h5`` path::

    /                       attrs keras_version, backend, model_config (JSON), training_config (JSON)
    /model_weights          attrs layer_names (every layer, model order), keras_version, backend
    /model_weights/<layer>  attrs weight_names, e.g. "dense/kernel:0" (Keras 2) or
                            "sequential/dense/kernel" (Keras 3); a dataset at each of those paths
    /optimizer_weights      the optimizer's state, which kernas does not restore (Keras 3 itself
                            cannot match Keras 2's optimizer variables), so a loaded model starts
                            with a fresh optimizer

A weights-only file (Keras 2's ``save_weights("w.h5")``) has ``layer_names``
and the layer groups at its root. Names may be stored as ``str`` or as UTF-8
bytes, and long lists as chunks ``layer_names0``, ``layer_names1``, ...

Layers are matched as Keras matches them: by position among the layers that
have weights, or by name with ``by_name=True``. Within a layer, variables
are matched by the last part of their saved name (``kernel``, ``gamma``,
``moving_mean``, ...) when those are the layer's own names, else by position
in Keras's order (trainable first, then the others).

Reading is as guarded as for Keras 3 files: only hard links are followed,
data must be stored in the file and numeric, shapes are checked against the
model before anything is read, and nothing changes unless everything fits.
"""

import json
import math

import h5py
import numpy as np

from kernas.saving.h5_layout import (MismatchError, apply_loaded, hard_child, keras_variable_order, read_dataset,
                                     require_built)
from kernas.saving.legacy_config import sequential_config

_H5_ERRORS = (OSError, RuntimeError, KeyError, TypeError, ValueError)
_TOP_LEVEL = "top_level_model_weights"


def _label(h5file):
    return f"filepath={getattr(h5file.file, 'filename', '?')}"


def _where(group, name):
    return f"{group.name.rstrip('/')}/{name}"


def _corrupt(where, error):
    return ValueError(f"Expected a readable legacy HDF5 file at '{where}'. Received: {error}. The file is corrupt; "
                      "save it again.")


def _attribute(obj, name):
    """``obj.attrs[name]``, or ``None`` when absent; refuses an unreadable one or one larger than the file."""
    where = f"{obj.name}@{name}"
    try:
        if name not in obj.attrs:
            return None
        attribute = obj.attrs.get_id(name)
        size = math.prod(attribute.shape or ()) * attribute.dtype.itemsize
        file_size = obj.file.id.get_filesize()
    except _H5_ERRORS as error:
        raise _corrupt(where, error) from None
    if size > file_size:
        raise _corrupt(where, f"an attribute of {size} bytes in a file of {file_size} bytes")
    try:
        return obj.attrs[name]
    except _H5_ERRORS as error:
        raise _corrupt(where, error) from None


def _text(value, where):
    if isinstance(value, np.ndarray) and value.shape == ():
        value = value[()]
    if isinstance(value, (bytes, np.bytes_)):
        try:
            return bytes(value).decode("utf-8")
        except UnicodeDecodeError as error:
            raise _corrupt(where, f"text that is not UTF-8 ({error})") from None
    if isinstance(value, str):
        return str(value)
    raise _corrupt(where, f"a value of type {type(value).__name__} where text was expected")


def _names(obj, name):
    """A list-of-names attribute (``layer_names``, ``weight_names``); ``None`` when absent, chunks joined."""
    value = _attribute(obj, name)
    chunks = [value] if value is not None else []
    while value is None and (chunk := _attribute(obj, f"{name}{len(chunks)}")) is not None:
        chunks.append(chunk)
    if not chunks:
        return None
    where = f"{obj.name}@{name}"
    names = []
    for chunk in chunks:
        array = np.asarray(chunk)
        if array.ndim != 1:
            raise _corrupt(where, f"an attribute of shape {array.shape} where a list of names was expected")
        if array.size:
            names += [_text(item, where) for item in array]
    return names


def _walk(group, path, kind):
    """The object at ``path`` (``/``-separated, relative) below ``group``, each step a hard link; ``None`` if absent."""
    parts = path.split("/")
    if any(part in ("", ".") for part in parts):
        raise _corrupt(_where(group, path), "a name that is not a relative path of plain names")
    for part in parts[:-1]:
        group = hard_child(group, part, h5py.Group)
        if group is None:
            return None
    return hard_child(group, parts[-1], kind)


def is_legacy(h5file):
    """Whether an open ``h5py.File`` has the legacy layout (``layer_names`` at its root, or ``model_weights``)."""
    try:
        names = set(h5file.attrs)
        has_model_weights = h5file.get("model_weights", getlink=True) is not None
    except _H5_ERRORS as error:
        raise _corrupt(h5file.name, error) from None
    return "layer_names" in names or "layer_names0" in names or has_model_weights


def _weights_root(h5file):
    group = hard_child(h5file, "model_weights", h5py.Group)
    if group is not None:
        return group
    if _attribute(h5file, "layer_names") is not None or _attribute(h5file, "layer_names0") is not None:
        return h5file
    raise ValueError(f"Expected a legacy Keras HDF5 file (a 'model_weights' group or a 'layer_names' attribute). "
                     f"Received: {_label(h5file)}, whose top-level keys are {sorted(h5file.keys())}. Load Keras 3 "
                     "files with `model.load_weights('model.weights.h5')`.")


def _saved_layers(root):
    """``[(name, group, weight_names)]`` for the layers the file lists, in its order."""
    names = _names(root, "layer_names")
    if names is None:
        raise _corrupt(root.name, "no 'layer_names' attribute listing the saved layers")
    saved = []
    for name in names:
        group = _walk(root, name, h5py.Group)
        if group is None:
            raise _corrupt(_where(root, name), f"no group for layer '{name}', which 'layer_names' lists")
        saved.append((name, group, _names(group, "weight_names") or []))
    return saved


def _variable_order(weight_names, variables):
    """The variables aligned with the saved names: by name suffix when those are the variables' names, else as is."""
    suffixes = [name.rsplit("/", 1)[-1].split(":", 1)[0] for name in weight_names]
    by_name = {variable.name: variable for variable in variables}
    if len(by_name) == len(variables) and sorted(suffixes) == sorted(by_name):
        return [by_name[suffix] for suffix in suffixes]
    return variables


def _read_layer(layer, group, weight_names):
    """``[(variable, value)]`` for one layer; MismatchError when the saved weights do not fit it."""
    variables = keras_variable_order(layer)
    owner = f"Layer '{layer.name}'"
    if len(weight_names) != len(variables):
        raise MismatchError(f"{owner} expects {len(variables)} weights ({[v.name for v in variables]}), but the "
                            f"file holds {len(weight_names)} at '{group.name}' ({weight_names}).")
    assignments = []
    for name, variable in zip(weight_names, _variable_order(weight_names, variables)):
        head, _, key = name.rpartition("/")
        parent = _walk(group, head, h5py.Group) if head else group
        dataset = _walk(parent, key, h5py.Dataset) if parent is not None else None
        if dataset is None:
            raise _corrupt(_where(group, name), f"no dataset for weight '{name}', which 'weight_names' lists")
        assignments.append((variable, read_dataset(parent, key, variable, owner)))
    return assignments


def _check_top_level(root, saved):
    # Keras 3 writes the model's own variables here; a kernas Sequential has none.
    if any(name == _TOP_LEVEL for name, _, _ in saved):
        return
    group = hard_child(root, _TOP_LEVEL, h5py.Group)
    weight_names = _names(group, "weight_names") if group is not None else None
    if weight_names:
        raise MismatchError(f"The file holds {len(weight_names)} model-level weights ({weight_names}) at "
                            f"'{group.name}'; a kernas Sequential model has none.")


def _pairs(model, saved, by_name):
    """``[(description, layer, group, weight_names)]``: which saved layer loads into which model layer."""
    if by_name:
        layers = {layer.name: layer for layer in model.layers}
        return [(f"layer #{k} (named {name})", layers[name], group, weight_names)
                for k, (name, group, weight_names) in enumerate(saved) if name in layers]
    layers = [layer for layer in model.layers if keras_variable_order(layer)]
    saved = [entry for entry in saved if entry[2]]
    if len(layers) != len(saved):
        raise ValueError(
            f"Layer count mismatch when loading weights from file. Model expected {len(layers)} layers with "
            f"weights ({[layer.name for layer in layers]}), found {len(saved)} saved layers with weights "
            f"({[name for name, _, _ in saved]}). Build the model with the architecture the file was saved from, "
            "or pass by_name=True to match layers by name. Nothing was loaded."
        )
    return [(f"layer #{k} (named {layer.name} in the model, {name} in the file)", layer, group, weight_names)
            for k, (layer, (name, group, weight_names)) in enumerate(zip(layers, saved))]


def read_legacy_weights(h5file, model, skip_mismatch=False, by_name=False):
    """Loads the weights of a legacy HDF5 file (whole model or weights only) into a built ``kernas.Sequential``.

    Every count, shape and dtype is checked, and all the data read, before any
    variable changes: on an error the model keeps its weights.

    Args:
        h5file: an open ``h5py.File`` of the legacy layout (see ``is_legacy``).
        model: a built ``kernas.Sequential``.
        skip_mismatch: skip (with a warning) layers whose saved weights do not
            match in number or shape, and load the rest.
        by_name: match layers by name (layers missing on either side are
            left alone) instead of by position among the layers with weights.

    Raises:
        ValueError: the file is corrupt or not of the legacy layout, the
            numbers of layers with weights differ (matching by position), or
            (without ``skip_mismatch``) a layer's weights do not fit it.

    Example:
        >>> with h5py.File("model.h5", "r") as f:
        ...     read_legacy_weights(f, model)
    """
    require_built(model, "loading weights into")
    root = _weights_root(h5file)
    saved = _saved_layers(root)
    assignments = []
    failures = []
    for description, layer, group, weight_names in _pairs(model, saved, by_name):
        try:
            assignments += _read_layer(layer, group, weight_names)
        except MismatchError as error:
            failures.append((f"{description} <{type(layer).__name__}>", error))
    try:
        _check_top_level(root, saved)
    except MismatchError as error:
        failures.append(("top-level model weights", error))
    apply_loaded(assignments, failures, skip_mismatch)


def _plain_json(obj):
    # Keras's JSON encoder tags tuples and TensorShapes; as plain data they are the lists they hold.
    if obj.get("class_name") in ("__tuple__", "TensorShape") and set(obj) == {"class_name", "items"}:
        return obj["items"]
    return obj


def _json_attribute(h5file, name):
    """The parsed JSON of a root attribute, or ``None`` when absent."""
    value = _attribute(h5file, name)
    if value is None:
        return None
    text = _text(value, f"/@{name}")
    try:
        return json.loads(text, object_hook=_plain_json)
    except (ValueError, RecursionError) as error:
        raise _corrupt(f"/@{name}", f"text that is not valid JSON ({str(error)[:200]})") from None


def legacy_model_config(h5file):
    """The model a legacy HDF5 model file describes: ``(config, training_config)``.

    ``config`` is ``{"class_name": "Sequential", "config": {...}}``, its inner
    config in the form ``kernas.Sequential.from_config`` accepts (Keras 2
    layer configs converted, see ``kernas.saving.legacy_config``);
    ``training_config`` is the parsed ``training_config`` attribute (loss,
    metrics, ``optimizer_config``) or ``None`` when the model was not compiled.

    Raises:
        ValueError: the file holds only weights (no readable model config),
            a model other than Sequential, a layer class kernas does not
            provide, or corrupt data.
    """
    try:
        model_config = _json_attribute(h5file, "model_config")
    except ValueError as error:
        model_config, problem = None, f" ({error})"
    else:
        problem = ""
    if not isinstance(model_config, dict):
        raise ValueError(
            f"Expected a legacy HDF5 model file with a 'model_config' attribute (written by `model.save('m.h5')`). "
            f"Received: {_label(h5file)}, which holds no readable model config{problem}: it holds only weights. "
            "Build the model in code and load them with `model.load_weights(path)`."
        )
    return sequential_config(model_config), _json_attribute(h5file, "training_config")
