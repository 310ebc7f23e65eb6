"""Keras's metrics (``kernas.metrics``): classes, functions, ``get``, ``resolve`` and serialization."""

import inspect

from kernas import losses as _losses
from kernas.backend import serialization as _serialization
from kernas.losses import (
    binary_crossentropy,
    categorical_crossentropy,
    huber,
    mean_absolute_error,
    mean_squared_error,
    sparse_categorical_crossentropy,
)
from kernas.metrics.accuracy_metric import Accuracy
from kernas.metrics.auc_metric import AUC
from kernas.metrics.binary_accuracy_metric import BinaryAccuracy
from kernas.metrics.binary_crossentropy_metric import BinaryCrossentropy
from kernas.metrics.categorical_accuracy_metric import CategoricalAccuracy
from kernas.metrics.categorical_crossentropy_metric import CategoricalCrossentropy
from kernas.metrics.functions import (
    binary_accuracy,
    categorical_accuracy,
    sparse_categorical_accuracy,
    sparse_top_k_categorical_accuracy,
    top_k_categorical_accuracy,
)
from kernas.metrics.mean_absolute_error_metric import MeanAbsoluteError
from kernas.metrics.mean_metric import Mean
from kernas.metrics.mean_metric_wrapper import MeanMetricWrapper
from kernas.metrics.mean_squared_error_metric import MeanSquaredError
from kernas.metrics.metric import Metric
from kernas.metrics.precision_metric import Precision
from kernas.metrics.recall_metric import Recall
from kernas.metrics.serialization import FUNCTIONS as _FUNCTIONS
from kernas.metrics.serialization import deserialize_function
from kernas.metrics.sparse_categorical_accuracy_metric import SparseCategoricalAccuracy
from kernas.metrics.sparse_categorical_crossentropy_metric import SparseCategoricalCrossentropy
from kernas.metrics.sparse_top_k_categorical_accuracy_metric import SparseTopKCategoricalAccuracy
from kernas.metrics.sum_metric import Sum
from kernas.metrics.top_k_categorical_accuracy_metric import TopKCategoricalAccuracy

_CLASSES = {
    cls.__name__: cls
    for cls in (
        Mean,
        Sum,
        MeanMetricWrapper,
        Accuracy,
        BinaryAccuracy,
        CategoricalAccuracy,
        SparseCategoricalAccuracy,
        TopKCategoricalAccuracy,
        SparseTopKCategoricalAccuracy,
        Precision,
        Recall,
        AUC,
        MeanSquaredError,
        MeanAbsoluteError,
        BinaryCrossentropy,
        CategoricalCrossentropy,
        SparseCategoricalCrossentropy,
    )
}
# Keras's names: each class's snake_case name, plus the short aliases.
_NAMES = {
    "mean": Mean,
    "sum": Sum,
    "accuracy": Accuracy,
    "binary_accuracy": BinaryAccuracy,
    "categorical_accuracy": CategoricalAccuracy,
    "sparse_categorical_accuracy": SparseCategoricalAccuracy,
    "top_k_categorical_accuracy": TopKCategoricalAccuracy,
    "sparse_top_k_categorical_accuracy": SparseTopKCategoricalAccuracy,
    "precision": Precision,
    "recall": Recall,
    "auc": AUC,
    "mean_squared_error": MeanSquaredError,
    "mean_absolute_error": MeanAbsoluteError,
    "binary_crossentropy": BinaryCrossentropy,
    "categorical_crossentropy": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
    "mse": MeanSquaredError,
    "MSE": MeanSquaredError,
    "mae": MeanAbsoluteError,
    "MAE": MeanAbsoluteError,
    "bce": BinaryCrossentropy,
    "BCE": BinaryCrossentropy,
}


def _names():
    return ", ".join(sorted(_CLASSES) + sorted(_NAMES))


def serialize(metric):
    """Keras's serialized form of a metric: ``{"module", "class_name", "config", "registered_name"}``."""
    if not isinstance(metric, Metric):
        raise TypeError(f"Expected a kernas Metric to serialize. Received: metric={metric!r}.")
    return _serialization.serialize_object(metric, "metrics")


def deserialize(config):
    """The ``Metric`` described by ``serialize``'s output (or by a metric name)."""
    if isinstance(config, str):
        return get(config)
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Expected a metric name or a dict with 'class_name' and 'config'. Received: {config!r}.")
    if config["class_name"] == "function":
        return get(deserialize_function(config))
    cls = _serialization.config_class(config, Metric, "metric", _metric_class)
    return cls.from_config(dict(config.get("config") or {}))


def _metric_class(class_name):
    if class_name not in _CLASSES:
        raise ValueError(f"Unknown metric class: '{class_name}'. Expected one of: {', '.join(sorted(_CLASSES))}.")
    return _CLASSES[class_name]


def get(identifier):
    """The ``Metric`` for ``identifier``, as Keras's ``keras.metrics.get``.

    Args:
        identifier: ``None``; a Keras name (``"accuracy"``, ``"mse"``,
            ``"AUC"``, ``"sparse_categorical_accuracy"`` ...); a ``serialize``
            dict; a ``Metric`` instance or subclass; or a function
            ``fn(y_true, y_pred) -> per-sample values`` (kernas's or your own:
            metrics need no gradient), wrapped in ``MeanMetricWrapper`` and
            named after the function as Keras's ``compile`` names it.

    Returns:
        A ``Metric`` (``None`` for ``None``).

    Example:
        >>> kernas.metrics.get("mse").name
        'mean_squared_error'
    """
    if identifier is None or isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, str):
        cls = _CLASSES.get(identifier) or _NAMES.get(identifier)
        if cls is None or cls is MeanMetricWrapper:
            raise ValueError(
                f"Unknown metric: '{identifier}'. Expected one of kernas's metrics: {_names()} "
                "(and 'acc', or 'crossentropy'/'ce', in model.compile)."
            )
        return cls()
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if inspect.isclass(identifier) and issubclass(identifier, Metric):
        return identifier()
    if callable(identifier):
        return MeanMetricWrapper(identifier, name=getattr(identifier, "__name__", None))
    raise ValueError(f"Could not interpret metric identifier: {identifier!r}. Expected one of: {_names()}.")


def resolve(identifier, y_true, y_pred, loss=None):
    """Keras 3's compile-time metric lookup (``compile_utils.get_metric``).

    ``"accuracy"``/``"acc"`` (any case) become ``BinaryAccuracy`` when the
    model gives one value per sample, ``SparseCategoricalAccuracy`` when the
    labels have a lower rank than the predictions (or a trailing 1 against
    several classes), and ``CategoricalAccuracy`` otherwise. Keras 3 chooses
    by these shapes alone, and so does this. A metric given as a string keeps
    the user's string as its name (Keras logs ``"acc"`` when you wrote ``"acc"``
    and ``"mse"`` for ``"mse"``); a function keeps its ``__name__``.

    ``"crossentropy"``/``"ce"`` (which Keras 3 resolves only as a loss) pick
    the binary, sparse or categorical crossentropy metric by the same rule;
    when ``loss`` is a crossentropy loss with ``from_logits=True`` the metric
    reads logits too, so it measures what the loss measures.

    Args:
        identifier: as for :func:`get`.
        y_true: the targets (anything with a ``shape``).
        y_pred: the model's outputs (anything with a ``shape``).
        loss: the compiled ``kernas.losses.Loss`` (or ``None``).

    Returns:
        A ``Metric``.

    Example:
        >>> kernas.metrics.resolve("acc", np.zeros(4), np.zeros((4, 10))).name
        'acc'
    """
    if identifier is None:
        raise ValueError("Expected a metric. Received: None.")
    lowered = str(identifier).lower()
    if lowered in ("accuracy", "acc", "crossentropy", "ce"):
        is_binary, is_sparse = _losses.binary_or_sparse(y_true, y_pred)
        name = str(identifier)
        if lowered in ("accuracy", "acc"):
            cls = BinaryAccuracy if is_binary else SparseCategoricalAccuracy if is_sparse else CategoricalAccuracy
            return cls(name=name)
        cls = BinaryCrossentropy if is_binary else SparseCategoricalCrossentropy if is_sparse else CategoricalCrossentropy
        crossentropies = (_losses.BinaryCrossentropy, _losses.CategoricalCrossentropy, _losses.SparseCategoricalCrossentropy)
        from_logits = isinstance(loss, crossentropies) and bool(loss.from_logits)
        return cls(name=name, from_logits=from_logits)
    metric = get(identifier)
    if isinstance(identifier, str):
        metric.name = identifier
    return metric


__all__ = sorted(
    list(_CLASSES)
    + ["Metric", "deserialize", "get", "resolve", "serialize"]
    + list(_FUNCTIONS)
)
