"""Label encoding, as ``keras.utils`` does it."""

import operator

import numpy as np


def to_categorical(x, num_classes=None):
    """Converts integer class labels to one-hot rows (for ``categorical_crossentropy``).

    A trailing axis of size 1 is dropped first, as Keras does, so labels of
    shape ``(n,)`` or ``(n, 1)`` both give ``(n, num_classes)``.

    Args:
        x: array-like of integer class labels from 0 to ``num_classes - 1``.
        num_classes: the number of classes; ``None`` infers ``max(x) + 1``.

    Returns:
        A float64 array of shape ``x.shape + (num_classes,)`` (Keras's dtype).

    Example:
        >>> to_categorical([0, 2, 1], num_classes=3)
        array([[1., 0., 0.],
               [0., 0., 1.],
               [0., 1., 0.]])
    """
    labels = np.asarray(x)
    if labels.dtype.kind not in "iub" and not (labels.dtype.kind == "f" and np.all(np.mod(labels, 1) == 0)):
        raise ValueError(
            f"Expected integer class labels. Received: x.dtype={labels.dtype}"
            + (" with non-integer values." if labels.dtype.kind == "f" else ".")
        )
    labels = labels.astype(np.int64)
    shape = labels.shape
    if len(shape) > 1 and shape[-1] == 1:
        shape = shape[:-1]
    labels = labels.reshape(-1)
    if num_classes is None:
        if labels.size == 0:
            raise ValueError("Expected `num_classes` when `x` is empty: there is no label to infer it from.")
        num_classes = int(labels.max()) + 1
    elif isinstance(num_classes, bool) or not hasattr(num_classes, "__index__"):
        raise TypeError(f"Expected `num_classes` to be an integer. Received: num_classes={num_classes!r}.")
    num_classes = operator.index(num_classes)
    if num_classes < 1:
        raise ValueError(f"Expected `num_classes` >= 1. Received: num_classes={num_classes}.")
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        bad = labels[(labels < 0) | (labels >= num_classes)][0]
        raise ValueError(
            f"Expected class labels from 0 to {num_classes - 1}. Received: a label of {bad}. "
            "Pass the right `num_classes`, or shift the labels to start at 0."
        )
    one_hot = np.zeros((labels.size, num_classes))
    one_hot[np.arange(labels.size), labels] = 1.0
    return one_hot.reshape(shape + (num_classes,))
