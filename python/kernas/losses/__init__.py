"""Keras's losses (``kernas.losses``): classes, per-sample functions, ``get`` and serialization.

Every loss is a :class:`Loss` that gives its value and its gradient; see
``Loss`` for writing your own.
"""

import inspect

from kernas.backend import serialization
from kernas.losses.binary_crossentropy_loss import BinaryCrossentropy
from kernas.losses.categorical_crossentropy_loss import CategoricalCrossentropy
from kernas.losses.functions import (
    binary_crossentropy,
    categorical_crossentropy,
    huber,
    mae,
    mean_absolute_error,
    mean_squared_error,
    mse,
    sparse_categorical_crossentropy,
)
from kernas.losses.huber_loss import Huber
from kernas.losses.loss import Loss
from kernas.losses.mean_absolute_error_loss import MeanAbsoluteError
from kernas.losses.mean_squared_error_loss import MeanSquaredError
from kernas.losses.sparse_categorical_crossentropy_loss import SparseCategoricalCrossentropy

_CLASSES = {
    cls.__name__: cls
    for cls in (
        MeanSquaredError,
        MeanAbsoluteError,
        Huber,
        BinaryCrossentropy,
        CategoricalCrossentropy,
        SparseCategoricalCrossentropy,
    )
}
# Keras's function names and aliases, each with the class computing the same loss.
_FUNCTIONS = {
    "mean_squared_error": (mean_squared_error, MeanSquaredError),
    "mean_absolute_error": (mean_absolute_error, MeanAbsoluteError),
    "huber": (huber, Huber),
    "binary_crossentropy": (binary_crossentropy, BinaryCrossentropy),
    "categorical_crossentropy": (categorical_crossentropy, CategoricalCrossentropy),
    "sparse_categorical_crossentropy": (sparse_categorical_crossentropy, SparseCategoricalCrossentropy),
}
_ALIASES = {
    "mse": "mean_squared_error",
    "MSE": "mean_squared_error",
    "mae": "mean_absolute_error",
    "MAE": "mean_absolute_error",
    "bce": "binary_crossentropy",
    "BCE": "binary_crossentropy",
}
_CLASS_OF_FUNCTION = {fn: cls for fn, cls in _FUNCTIONS.values()}


def _names():
    return ", ".join(sorted(_CLASSES) + sorted(_FUNCTIONS) + sorted(_ALIASES))


def _from_name(name):
    if name in _CLASSES:
        return _CLASSES[name]()
    function_name = _ALIASES.get(name, name)
    if function_name in _FUNCTIONS:
        # Keras's compile wraps a loss function under the name the user wrote ("mse" logs as "mse").
        return _FUNCTIONS[function_name][1](name=name)
    raise ValueError(f"Unknown loss: '{name}'. Expected one of kernas's losses: {_names()}.")


def serialize(loss):
    """Keras's serialized form of a loss: ``{"module", "class_name", "config", "registered_name"}``.

    A kernas loss function serializes as Keras serializes a function.
    """
    if isinstance(loss, Loss):
        return serialization.serialize_object(loss, "losses")
    for name, (fn, _) in _FUNCTIONS.items():
        if loss is fn:
            return {"module": "builtins", "class_name": "function", "config": name, "registered_name": "function"}
    raise TypeError(f"Expected a kernas Loss or kernas loss function to serialize. Received: loss={loss!r}.")


def deserialize(config):
    """The ``Loss`` described by ``serialize``'s output (or by a loss name)."""
    if isinstance(config, str):
        return _from_name(config)
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Expected a loss name or a dict with 'class_name' and 'config'. Received: {config!r}.")
    class_name, inner = config["class_name"], config.get("config", {})
    if class_name == "function" and isinstance(inner, str):
        return _from_name(inner)
    return serialization.config_class(config, Loss, "loss", _loss_class).from_config(dict(inner or {}))


def _loss_class(class_name):
    if class_name not in _CLASSES:
        raise ValueError(f"Unknown loss class: '{class_name}'. Expected one of: {', '.join(sorted(_CLASSES))}.")
    return _CLASSES[class_name]


def get(identifier):
    """The ``Loss`` for ``identifier``, as ``model.compile(loss=...)`` takes it.

    Args:
        identifier: ``None``; a Keras name (``"mse"``, ``"mean_squared_error"``,
            ``"MeanSquaredError"``, ``"categorical_crossentropy"`` ...); a
            ``serialize`` dict; a ``Loss`` instance or subclass; or one of the
            ``kernas.losses`` functions (wrapped into the matching ``Loss``).

    Returns:
        A ``Loss`` (``None`` for ``None``). A name of a function, or a
        function, names the loss after it, as Keras's ``compile`` does.

    Raises:
        ValueError: an unknown name.
        TypeError: any other callable: kernas needs a loss that gives its
            gradient, so write a ``Loss`` subclass with ``call`` and ``gradient``.

    Example:
        >>> kernas.losses.get("mse").name
        'mse'
    """
    if identifier is None or isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str):
        return _from_name(identifier)
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if inspect.isclass(identifier) and issubclass(identifier, Loss):
        return identifier()
    for fn, cls in _CLASS_OF_FUNCTION.items():
        if identifier is fn:
            return cls(name=fn.__name__)
    if callable(identifier):
        raise TypeError(
            "Expected a kernas loss: kernas trains without automatic differentiation, so a loss must give "
            f"its gradient. Received: loss={identifier!r}. Use a built-in ({_names()}), or subclass "
            "kernas.losses.Loss with `call(y_true, y_pred)` (per-sample values) and `gradient(y_true, y_pred)`."
        )
    raise ValueError(f"Could not interpret loss identifier: {identifier!r}. Expected one of: {_names()}.")


def resolve(identifier, y_true, y_pred):
    """Keras's compile-time loss lookup: ``"crossentropy"``/``"ce"`` chosen by the data's shapes.

    A prediction with one value per sample means binary crossentropy; labels of
    lower rank than the predictions (or a trailing 1 against several classes)
    mean sparse; otherwise categorical. The loss keeps the user's string as
    its name. Any other identifier goes to :func:`get`.

    Args:
        identifier: as for :func:`get`.
        y_true: the targets (anything with a ``shape``).
        y_pred: the model's outputs (anything with a ``shape``).

    Example:
        >>> type(kernas.losses.resolve("ce", np.zeros(4), np.zeros((4, 3)))).__name__
        'SparseCategoricalCrossentropy'
    """
    if isinstance(identifier, str) and identifier.lower() in ("crossentropy", "ce"):
        is_binary, is_sparse = binary_or_sparse(y_true, y_pred)
        cls = BinaryCrossentropy if is_binary else SparseCategoricalCrossentropy if is_sparse else CategoricalCrossentropy
        return cls(name=identifier)
    return get(identifier)


def binary_or_sparse(y_true, y_pred):
    """Keras's ``is_binary_or_sparse_categorical`` on the shapes of ``y_true`` and ``y_pred``."""
    true_shape, pred_shape = tuple(y_true.shape), tuple(y_pred.shape)
    true_last = true_shape[-1] if true_shape else None
    pred_last = pred_shape[-1] if pred_shape else None
    is_binary = pred_last == 1
    is_sparse = len(true_shape) < len(pred_shape) or (true_last == 1 and pred_last is not None and pred_last > 1)
    return is_binary, is_sparse


__all__ = [
    "BinaryCrossentropy",
    "CategoricalCrossentropy",
    "Huber",
    "Loss",
    "MeanAbsoluteError",
    "MeanSquaredError",
    "SparseCategoricalCrossentropy",
    "binary_crossentropy",
    "categorical_crossentropy",
    "deserialize",
    "get",
    "huber",
    "mae",
    "mean_absolute_error",
    "mean_squared_error",
    "mse",
    "resolve",
    "serialize",
]
