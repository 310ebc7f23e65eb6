"""Keras's accuracy functions: one value per sample (1.0 for a hit, 0.0 for a miss).

The ``_hits`` forms return boolean arrays, which the accuracy metrics count
without converting; the public functions return float32 as Keras does.
"""

import numbers

import numpy as np

from kernas.losses.loss import same_rank


def _array(x, name):
    """``x`` as an array of numbers (bool included); strings and objects would compare unequal silently."""
    array = x if type(x) is np.ndarray else np.asarray(x)
    if array.dtype.kind not in "fiub":
        raise TypeError(f"Expected `{name}` to hold real numbers. Received: {name}.dtype={array.dtype}.")
    return array


def _classes(y_pred, metric):
    """The number of classes (last axis of y_pred), which must exist and be non-empty."""
    if y_pred.ndim == 0 or y_pred.shape[-1] == 0:
        raise ValueError(f"Expected y_pred of shape (samples, classes) for {metric}. "
                         f"Received: y_pred.shape={y_pred.shape}.")
    return y_pred.shape[-1]


def _matches(a, b, metric, what):
    """``a == b`` (NumPy broadcasting, as Keras's ops.equal), or a ValueError naming both shapes."""
    try:
        return a == b
    except ValueError:
        raise ValueError(f"Expected {what} of compatible shapes for {metric}. Received: shapes {np.shape(a)} "
                         f"and {np.shape(b)}.") from None


def accuracy_hits(y_true, y_pred):
    y_true, y_pred = same_rank(_array(y_true, "y_true"), _array(y_pred, "y_pred"))
    return _matches(y_true, y_pred, "accuracy", "y_true and y_pred")


def binary_accuracy_hits(y_true, y_pred, threshold=0.5):
    y_true, y_pred = same_rank(_array(y_true, "y_true"), _array(y_pred, "y_pred"))
    return _matches(y_true, y_pred > threshold, "binary_accuracy", "y_true and y_pred")


def categorical_accuracy_hits(y_true, y_pred):
    y_true, y_pred = _array(y_true, "y_true"), _array(y_pred, "y_pred")
    _classes(y_pred, "categorical_accuracy")
    if y_true.ndim != y_pred.ndim:
        raise ValueError(f"Expected one-hot y_true of y_pred's rank for categorical_accuracy. Received: "
                         f"y_true.shape={y_true.shape}, y_pred.shape={y_pred.shape}. For integer class labels use "
                         "sparse_categorical_accuracy.")
    return _matches(y_true.argmax(axis=-1), y_pred.argmax(axis=-1), "categorical_accuracy",
                    "one-hot y_true and y_pred (the argmax of each row)")


def sparse_categorical_accuracy_hits(y_true, y_pred):
    y_true, y_pred = _array(y_true, "y_true"), _array(y_pred, "y_pred")
    _classes(y_pred, "sparse_categorical_accuracy")
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
        y_true = y_true.reshape(y_true.shape[:-1])
    return _matches(y_true, y_pred.argmax(axis=-1), "sparse_categorical_accuracy",
                    "class indices y_true and y_pred's rows")


def check_k(k):
    """The ``k`` of the top-k accuracies: a positive integer."""
    if isinstance(k, bool) or not isinstance(k, numbers.Integral) or k < 1:
        raise ValueError(f"Expected `k` to be a positive integer. Received: k={k!r}.")
    return int(k)


def _class_indices(targets, rows, classes, metric):
    """Integer class indices, one per row of scores, each in [0, classes): np.take_along_axis would fail on others."""
    flat = targets.reshape(-1)
    if flat.size != rows:
        raise ValueError(f"Expected one class index per row of y_pred ({rows}) for {metric}. "
                         f"Received: y_true.shape={targets.shape}.")
    if flat.dtype.kind == "f":
        if not np.array_equal(flat, np.round(flat)):  # NaN and fractions
            raise ValueError(f"Expected integer class indices in y_true for {metric}. Received: y_true holding "
                             f"{flat[~(flat == np.round(flat))][0]}.")
    if flat.size and (flat.min() < 0 or flat.max() >= classes):
        bad = flat[(flat < 0) | (flat >= classes)][0]
        raise ValueError(f"Expected class indices in [0, {classes}) in y_true for {metric}, as y_pred has {classes} "
                         f"classes. Received: label {bad}.")
    return flat.astype(np.intp, copy=False)


def _in_top_k(targets, y_pred, k, metric):
    """Keras's in_top_k: the target's score is at least the k-th largest (ties count as in)."""
    classes = _classes(y_pred, metric)
    scores = y_pred.reshape(-1, classes)
    targets = _class_indices(targets, scores.shape[0], classes, metric)
    target_scores = np.take_along_axis(scores, targets[:, None], axis=-1)
    return (scores > target_scores).sum(axis=-1) < k


def top_k_categorical_accuracy_hits(y_true, y_pred, k=5):
    y_true, y_pred = _array(y_true, "y_true"), _array(y_pred, "y_pred")
    metric = "top_k_categorical_accuracy"
    if y_true.shape != y_pred.shape:
        raise ValueError(f"Expected one-hot y_true shaped like y_pred for {metric}. Received: "
                         f"y_true.shape={y_true.shape}, y_pred.shape={y_pred.shape}.")
    _classes(y_pred, metric)
    labels = y_true.argmax(axis=-1)
    return _in_top_k(labels, y_pred, k, metric).reshape(labels.shape)


def sparse_top_k_categorical_accuracy_hits(y_true, y_pred, k=5, from_sorted_ids=False):
    y_true, y_pred = _array(y_true, "y_true"), _array(y_pred, "y_pred")
    metric = "sparse_top_k_categorical_accuracy"
    classes = _classes(y_pred, metric)
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
        y_true = y_true.reshape(y_true.shape[:-1])
    if y_true.shape != y_pred.shape[:-1]:
        raise ValueError(f"Expected y_true to hold one class index per row of y_pred, of shape {y_pred.shape[:-1]}, "
                         f"for {metric}. Received: y_true.shape={y_true.shape}, y_pred.shape={y_pred.shape}.")
    if from_sorted_ids:
        # y_pred holds class ids, best first.
        ids = y_pred.reshape(-1, classes)[:, :k]
        return (y_true.reshape(-1, 1) == ids).any(axis=-1).reshape(y_true.shape)
    return _in_top_k(y_true, y_pred, k, metric).reshape(y_true.shape)


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """1.0 where ``y_pred > threshold`` agrees with the 0/1 ``y_true``.

    Example:
        >>> kernas.metrics.binary_accuracy([[1], [0]], [[0.7], [0.6]])
        array([[1.],
               [0.]], dtype=float32)
    """
    return binary_accuracy_hits(y_true, y_pred, threshold).astype(np.float32)


def categorical_accuracy(y_true, y_pred):
    """1.0 where the argmax of the one-hot ``y_true`` is the argmax of ``y_pred``.

    Example:
        >>> kernas.metrics.categorical_accuracy([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
        array([0., 1.], dtype=float32)
    """
    return categorical_accuracy_hits(y_true, y_pred).astype(np.float32)


def sparse_categorical_accuracy(y_true, y_pred):
    """1.0 where the integer label is the argmax of ``y_pred``.

    Example:
        >>> kernas.metrics.sparse_categorical_accuracy([2, 1], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
        array([0., 1.], dtype=float32)
    """
    return sparse_categorical_accuracy_hits(y_true, y_pred).astype(np.float32)


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1.0 where the one-hot target's class scores among the ``k`` highest.

    Example:
        >>> kernas.metrics.top_k_categorical_accuracy([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]], k=1)
        array([0., 1.], dtype=float32)
    """
    return top_k_categorical_accuracy_hits(y_true, y_pred, k).astype(np.float32)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5, from_sorted_ids=False):
    """1.0 where the integer label scores among the ``k`` highest.

    With ``from_sorted_ids=True``, ``y_pred`` holds class ids sorted best first.

    Example:
        >>> kernas.metrics.sparse_top_k_categorical_accuracy([2, 1], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]], k=1)
        array([0., 1.], dtype=float32)
    """
    return sparse_top_k_categorical_accuracy_hits(y_true, y_pred, k, from_sorted_ids).astype(np.float32)
