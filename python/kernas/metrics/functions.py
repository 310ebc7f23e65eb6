"""Keras's accuracy functions: one value per sample (1.0 for a hit, 0.0 for a miss).

The ``_hits`` forms return boolean arrays, which the accuracy metrics count
without converting; the public functions return float32 as Keras does.
"""

import numbers

import numpy as np

from kernas.losses.loss import same_rank


def _array(x):
    return x if type(x) is np.ndarray else np.asarray(x)


def accuracy_hits(y_true, y_pred):
    y_true, y_pred = same_rank(_array(y_true), _array(y_pred))
    return y_true == y_pred


def binary_accuracy_hits(y_true, y_pred, threshold=0.5):
    y_true, y_pred = same_rank(_array(y_true), _array(y_pred))
    return y_true == (y_pred > threshold)


def categorical_accuracy_hits(y_true, y_pred):
    return _array(y_true).argmax(axis=-1) == _array(y_pred).argmax(axis=-1)


def sparse_categorical_accuracy_hits(y_true, y_pred):
    y_true, y_pred = _array(y_true), _array(y_pred)
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
        y_true = y_true.reshape(y_true.shape[:-1])
    return y_true == y_pred.argmax(axis=-1)


def check_k(k):
    """The ``k`` of the top-k accuracies: a positive integer."""
    if isinstance(k, bool) or not isinstance(k, numbers.Integral) or k < 1:
        raise ValueError(f"Expected `k` to be a positive integer. Received: k={k!r}.")
    return int(k)


def _in_top_k(targets, y_pred, k):
    """Keras's in_top_k: the target's score is at least the k-th largest (ties count as in)."""
    scores = y_pred.reshape(-1, y_pred.shape[-1])
    targets = targets.reshape(-1).astype(np.intp, copy=False)
    target_scores = np.take_along_axis(scores, targets[:, None], axis=-1)
    return (scores > target_scores).sum(axis=-1) < k


def top_k_categorical_accuracy_hits(y_true, y_pred, k=5):
    y_true, y_pred = _array(y_true), _array(y_pred)
    labels = y_true.argmax(axis=-1)
    return _in_top_k(labels, y_pred, k).reshape(labels.shape)


def sparse_top_k_categorical_accuracy_hits(y_true, y_pred, k=5, from_sorted_ids=False):
    y_true, y_pred = _array(y_true), _array(y_pred)
    if from_sorted_ids:
        # y_pred holds class ids, best first.
        ids = y_pred.reshape(-1, y_pred.shape[-1])[:, :k]
        return (y_true.reshape(-1, 1) == ids).any(axis=-1).reshape(y_true.shape)
    return _in_top_k(y_true, y_pred, k).reshape(y_true.shape)


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
