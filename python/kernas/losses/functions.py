"""Keras's loss functions: one loss value per sample, no reduction.

Each returns a float32 array shaped ``y_pred.shape[:-1]`` (a 0-d array for
rank-1 inputs), as ``keras.losses.<name>`` does. They run the same native
kernels as the loss classes; ``kernas.losses.get`` turns any of them into the
matching ``Loss`` (which also gives the gradient).
"""

from kernas.losses import options
from kernas.ops import losses as loss_ops


def mean_squared_error(y_true, y_pred):
    """``mean(square(y_true - y_pred), axis=-1)``.

    Example:
        >>> kernas.losses.mean_squared_error([[0.0, 1.0], [1.0, 1.0]], [[1.0, 1.0], [1.0, 1.0]])
        array([0.5, 0. ], dtype=float32)
    """
    return loss_ops.mean_squared_error(y_true, y_pred, reduction=None)


def mean_absolute_error(y_true, y_pred):
    """``mean(abs(y_true - y_pred), axis=-1)``.

    Example:
        >>> kernas.losses.mean_absolute_error([[0.0, 1.0]], [[1.0, 1.0]])
        array([0.5], dtype=float32)
    """
    return loss_ops.mean_absolute_error(y_true, y_pred, reduction=None)


def huber(y_true, y_pred, delta=1.0):
    """Huber loss per sample: quadratic up to ``delta``, linear beyond, averaged over the last axis.

    Example:
        >>> kernas.losses.huber([[0.0, 1.0], [0.0, 0.0]], [[0.6, 0.4], [0.4, 0.6]]).round(2)
        array([0.18, 0.13], dtype=float32)
    """
    return loss_ops.huber(y_true, y_pred, delta=options.check_delta(delta), reduction=None)


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Binary crossentropy averaged over the last axis (``axis=-1`` only).

    Example:
        >>> kernas.losses.binary_crossentropy([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]]).round(3)
        array([0.916, 0.714], dtype=float32)
    """
    options.check_axis(axis)
    return loss_ops.binary_crossentropy(
        y_true, y_pred, from_logits=from_logits, label_smoothing=label_smoothing, reduction=None
    )


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Categorical crossentropy of one-hot targets (``axis=-1`` only).

    Example:
        >>> kernas.losses.categorical_crossentropy([[0, 1, 0], [0, 0, 1]], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]]).round(4)
        array([0.0513, 2.3026], dtype=float32)
    """
    options.check_axis(axis)
    return loss_ops.categorical_crossentropy(
        y_true, y_pred, from_logits=from_logits, label_smoothing=label_smoothing, reduction=None
    )


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None, axis=-1):
    """Categorical crossentropy of integer class labels (``ignore_class=None``, ``axis=-1`` only).

    Example:
        >>> kernas.losses.sparse_categorical_crossentropy([1, 2], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]]).round(4)
        array([0.0513, 2.3026], dtype=float32)
    """
    options.check_ignore_class(ignore_class)
    options.check_axis(axis)
    return loss_ops.sparse_categorical_crossentropy(y_true, y_pred, from_logits=from_logits, reduction=None)


mse = mean_squared_error
mae = mean_absolute_error
