"""Loss kernels: Keras 3's losses, reduced as Keras reduces them, with their gradients.

Every loss takes ``(y_true, y_pred, sample_weight=None)`` shaped as Keras
takes them: ``(batch, d)`` (or any ``(..., d)``; the last axis is averaged or
summed into one value per sample), with Keras's adjustment of a rank that
differs by a trailing 1 (``y_true`` of shape ``(batch,)`` against ``y_pred``
of shape ``(batch, 1)``). Rank-1 inputs are one sample, as in Keras.

The default reduction is Keras's ``"sum_over_batch_size"``: the sum of
``loss_i * sample_weight_i`` divided by the number of samples. With
``gradient=True`` a function returns ``(loss, grad)`` from one fused pass,
``grad`` being d(loss)/d(y_pred) with the reduction and the sample weights
already applied; the forward-only call returns the loss alone.

Example:
    >>> loss, grad = mean_squared_error(np.zeros((4, 3)), np.ones((4, 3)), gradient=True)
    >>> loss, grad.shape, round(float(grad[0, 0]), 6)
    (1.0, (4, 3), 0.166667)
"""

import collections
import numbers

import numpy as np

from kernas import _core
from kernas.ops._checks import as_float32

_REDUCTIONS = ("sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", None, "none")

SoftmaxCrossentropy = collections.namedtuple(
    "SoftmaxCrossentropy", ["loss", "gradient", "probabilities", "clipped_rows"]
)
SoftmaxCrossentropy.__doc__ = """Result of :func:`softmax_crossentropy`.

Attributes:
    loss: the reduced crossentropy (a float).
    gradient: float32 d(loss)/d(logits), shaped like the logits.
    probabilities: softmax(logits) (the layer's output), or ``None`` unless asked for.
    clipped_rows: samples where Keras's probability path (numpy, jax, torch
        backends) would clip a labelled probability to [1e-7, 1 - 1e-7]; the
        fused loss differs from that path beyond rounding only there.
"""


def _check_reduction(reduction):
    if reduction not in _REDUCTIONS:
        raise ValueError(f"Expected a reduction in {_REDUCTIONS}. Received: reduction={reduction!r}.")
    return "none" if reduction is None else reduction


def _check_fraction(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0.0 <= float(value) <= 1.0:
        raise ValueError(f"Expected `{name}` to be a float in [0, 1]. Received: {name}={value!r}.")
    return float(value)


def _check_flag(value, name):
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"Expected `{name}` to be True or False. Received: {name}={value!r}.")
    return bool(value)


def _same_rank(y_true, y_pred):
    """Keras's squeeze_or_expand_to_same_rank: reconciles a trailing axis of 1."""
    if y_true.ndim == y_pred.ndim + 1 and y_true.shape[-1] == 1:
        if y_pred.ndim == 1:
            y_pred = y_pred.reshape(y_pred.shape + (1,))
        else:
            y_true = y_true.reshape(y_true.shape[:-1])
    elif y_pred.ndim == y_true.ndim + 1 and y_pred.shape[-1] == 1:
        if y_true.ndim == 1:
            y_true = y_true.reshape(y_true.shape + (1,))
        else:
            y_pred = y_pred.reshape(y_pred.shape[:-1])
    return y_true, y_pred


class _Batch:
    """y_pred as a (rows, cols) array plus Keras's weights and reduction divisor.

    Keras computes one loss per entry of ``y_pred.shape[:-1]`` (a single one
    for rank-1 inputs), multiplies by the sample weights and reduces.
    """

    def __init__(self, y_pred, sample_weight, reduction):
        if y_pred.ndim == 0:
            raise ValueError(f"Expected y_pred to have at least one dimension. Received: y_pred.shape={y_pred.shape}.")
        if y_pred.shape[-1] == 0:
            raise ValueError(f"Expected at least one prediction per sample. Received: y_pred.shape={y_pred.shape}.")
        self.shape = y_pred.shape
        self.values_shape = y_pred.shape[:-1]
        self.cols = y_pred.shape[-1]
        self.rows = y_pred.size // self.cols
        self.broadcast = None
        self.reduction = _check_reduction(reduction)
        self.weights, count, weight_sum, self.out_shape = self._weights(sample_weight)
        if self.reduction in ("sum", "none") or self.out_shape == ():
            self.divisor = 1.0  # Keras returns a single weighted value unreduced
        elif self.reduction == "mean_with_sample_weight" and weight_sum is not None:
            self.divisor = weight_sum
        else:
            self.divisor = float(count)

    def _weights(self, sample_weight):
        """Per-row float32 weights (or None), the number of weighted values,
        Keras's sum of the weights, and the shape of the weighted values."""
        if sample_weight is None:
            return None, self.rows, None, self.values_shape
        weights = as_float32(sample_weight, "sample_weight")
        if weights.shape in (self.values_shape, self.values_shape + (1,)):
            # Keras's squeeze_or_expand_to_same_rank: only rank-1 values grow the trailing 1.
            shape = weights.shape if len(self.values_shape) == 1 else self.values_shape
            return weights.reshape(self.rows), self.rows, float(weights.sum(dtype=np.float64)), shape
        if weights.ndim == 0:
            return np.full(self.rows, weights, dtype=np.float32), self.rows, float(weights), self.values_shape
        if not self.values_shape and weights.ndim == 1:
            # Rank-1 inputs give Keras one loss value, which the weights broadcast over.
            total = float(weights.sum(dtype=np.float64))
            if self.reduction == "none":
                self.broadcast = weights  # the unweighted value times each weight
                return None, weights.size, total, weights.shape
            return np.array([total], dtype=np.float32), weights.size, total, weights.shape
        raise ValueError(
            f"Expected sample_weight to hold one weight per sample, of shape {self.values_shape}, or a scalar. "
            f"Received: sample_weight.shape={weights.shape} for y_pred.shape={self.shape}."
        )

    def outputs(self, gradient):
        """Buffers for the per-sample values (reduction None) and the gradient (or None)."""
        if gradient and self.reduction == "none":
            raise ValueError(
                "Expected a reducing `reduction` with gradient=True: the gradient is of a scalar loss. "
                "Received: reduction=None."
            )
        per_sample = np.empty(self.rows, dtype=np.float32) if self.reduction == "none" else None
        grad = np.empty((self.rows, self.cols), dtype=np.float32) if gradient else None
        return per_sample, grad

    def result(self, loss, per_sample, grad, grad_shape):
        if per_sample is not None:
            if self.broadcast is not None:
                return per_sample[0] * self.broadcast
            return per_sample.reshape(self.out_shape)
        if grad is not None:
            return loss, grad.reshape(grad_shape)
        return loss


def _dense_loss(kind, y_true, y_pred, sample_weight, reduction, gradient, check_labels=None, **options):
    y_pred = as_float32(y_pred, "y_pred")
    y_true = as_float32(y_true, "y_true")
    original_shape = y_pred.shape
    y_true, y_pred = _same_rank(y_true, y_pred)
    if check_labels is not None:
        check_labels(y_true, y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(
            "Expected y_true and y_pred to have the same shape. "
            f"Received: y_true.shape={y_true.shape}, y_pred.shape={y_pred.shape}."
        )
    batch = _Batch(y_pred, sample_weight, reduction)
    per_sample, grad = batch.outputs(_check_flag(gradient, "gradient"))
    shape2d = (batch.rows, batch.cols)
    loss = _core.loss(
        kind, y_true.reshape(shape2d), y_pred.reshape(shape2d), batch.weights, batch.divisor, per_sample, grad,
        **options,
    )
    return batch.result(loss, per_sample, grad, original_shape)


def _reject_integer_labels(fused_hint=""):
    """A ``check_labels`` that stops integer class labels given where one-hot rows belong.

    The message names both fixes in the words a Keras user knows, whichever
    door they came through (the function, ``CategoricalCrossentropy`` or the
    model's fused softmax path); ``fused_hint`` adds the caller's own spelling.
    """

    def check(y_true, y_pred):
        classes = y_pred.shape[-1] if y_pred.ndim else 0
        if y_pred.ndim >= 2 and classes > 1 and y_true.shape in (y_pred.shape[:-1], y_pred.shape[:-1] + (1,)):
            raise ValueError(
                f"Expected one-hot y_true of shape {y_pred.shape} for categorical_crossentropy. "
                f"Received: y_true.shape={y_true.shape}, which looks like integer class labels. Either convert "
                f"them with kernas.utils.to_categorical(y_true, num_classes={classes}), or use the loss "
                "sparse_categorical_crossentropy (kernas.losses.SparseCategoricalCrossentropy), which takes "
                f"class indices{fused_hint}."
            )

    return check


def _sparse_labels(y_true, y_pred):
    """Class indices as int64 (rows,), checked against y_pred's number of classes."""
    labels = np.asarray(y_true)
    if labels.ndim == y_pred.ndim and labels.ndim > 0 and labels.shape[-1] == 1:
        labels = labels.reshape(labels.shape[:-1])
    if labels.shape != y_pred.shape[:-1]:
        raise ValueError(
            f"Expected y_true to hold one class index per sample, of shape {y_pred.shape[:-1]} (or with a "
            f"trailing 1). Received: y_true.shape={np.shape(y_true)}, y_pred.shape={y_pred.shape}."
        )
    if labels.dtype.kind == "f":
        whole = np.isfinite(labels) & (labels == np.round(labels))
        if not whole.all():
            bad = labels.flat[int(np.argmin(whole.ravel()))]
            raise ValueError(f"Expected integer class indices in y_true. Received: y_true holding {bad}.")
    elif labels.dtype.kind not in "iub":
        raise TypeError(f"Expected integer class indices in y_true. Received: y_true.dtype={labels.dtype}.")
    classes = y_pred.shape[-1]
    flat = labels.reshape(-1)
    if flat.size:
        low, high = flat.min(), flat.max()
        if low < 0 or high >= classes:
            index = int(np.argmax((flat < 0) | (flat >= classes)))
            # Labels running 1..classes are the classic off-by-one of 1-indexed data.
            hint = (
                f" The labels run from 1 to {classes}, so they look 1-indexed: pass y_true - 1."
                if low >= 1 and high == classes
                else " Check that y_pred's last dimension counts every class."
            )
            raise ValueError(
                f"Expected class indices in [0, {classes}) in y_true, as y_pred has {classes} classes. "
                f"Received: label {int(flat[index])} at position {index}.{hint}"
            )
    return flat if flat.dtype == np.int64 else flat.astype(np.int64)


def mean_squared_error(y_true, y_pred, sample_weight=None, *, reduction="sum_over_batch_size", gradient=False):
    """Keras's ``mean_squared_error``: ``mean((y_true - y_pred)**2, axis=-1)``, reduced.

    Args:
        y_true: targets, shaped like ``y_pred``.
        y_pred: predictions, ``(batch, d)``.
        sample_weight: optional ``(batch,)`` weights (or a scalar).
        reduction: ``"sum_over_batch_size"`` (Keras's default), ``"mean"``,
            ``"sum"``, ``"mean_with_sample_weight"`` or ``None`` (per-sample values).
        gradient: also return d(loss)/d(y_pred).

    Returns:
        The loss (a float; an array for ``reduction=None``), or ``(loss, grad)``.

    Example:
        >>> mean_squared_error([[0.0, 1.0]], [[1.0, 1.0]])
        0.5
    """
    return _dense_loss(_core.LossKind.mean_squared_error, y_true, y_pred, sample_weight, reduction, gradient)


def mean_absolute_error(y_true, y_pred, sample_weight=None, *, reduction="sum_over_batch_size", gradient=False):
    """Keras's ``mean_absolute_error``: ``mean(abs(y_true - y_pred), axis=-1)``, reduced.

    The gradient takes ``sign(0) = 0`` where ``y_pred == y_true``. Arguments
    and returns as :func:`mean_squared_error`.

    Example:
        >>> mean_absolute_error([[0.0, 1.0]], [[1.0, 1.0]])
        0.5
    """
    return _dense_loss(_core.LossKind.mean_absolute_error, y_true, y_pred, sample_weight, reduction, gradient)


def huber(y_true, y_pred, sample_weight=None, *, delta=1.0, reduction="sum_over_batch_size", gradient=False):
    """Keras's ``huber``: quadratic for errors up to ``delta``, linear beyond.

    Args:
        delta: the positive error at which the loss turns linear (Keras's default 1.0).
        Others as :func:`mean_squared_error`.

    Example:
        >>> round(huber([[0.0, 1.0], [0.0, 0.0]], [[0.6, 0.4], [0.4, 0.6]]), 3)
        0.155
    """
    if isinstance(delta, bool) or not isinstance(delta, numbers.Real) or not 0.0 < float(delta) < float("inf"):
        raise ValueError(f"Expected `delta` to be a positive finite float. Received: delta={delta!r}.")
    return _dense_loss(
        _core.LossKind.huber, y_true, y_pred, sample_weight, reduction, gradient, delta=float(delta)
    )


def binary_crossentropy(
    y_true,
    y_pred,
    sample_weight=None,
    *,
    from_logits=False,
    label_smoothing=0.0,
    reduction="sum_over_batch_size",
    gradient=False,
):
    """Keras's ``binary_crossentropy``, averaged over the last axis, reduced.

    From probabilities it clips ``y_pred`` to ``[1e-7, 1 - 1e-7]`` as Keras
    does (the gradient is zero where clipping is active); from logits it uses
    the stable ``max(x, 0) - x * y + log1p(exp(-|x|))``.

    Args:
        from_logits: whether ``y_pred`` holds logits rather than probabilities.
        label_smoothing: in ``[0, 1]``; targets become ``y * (1 - s) + s / 2``.
        Others as :func:`mean_squared_error`.

    Example:
        >>> round(binary_crossentropy([[0.0, 1.0], [0.0, 0.0]], [[0.6, 0.4], [0.4, 0.6]]), 4)
        0.8149
    """
    kind = (
        _core.LossKind.binary_crossentropy_from_logits
        if _check_flag(from_logits, "from_logits")
        else _core.LossKind.binary_crossentropy
    )
    smoothing = _check_fraction(label_smoothing, "label_smoothing")
    return _dense_loss(kind, y_true, y_pred, sample_weight, reduction, gradient, label_smoothing=smoothing)


def categorical_crossentropy(
    y_true,
    y_pred,
    sample_weight=None,
    *,
    from_logits=False,
    label_smoothing=0.0,
    reduction="sum_over_batch_size",
    gradient=False,
):
    """Keras's ``categorical_crossentropy`` for one-hot (or soft) targets, reduced.

    From probabilities, as Keras: ``p / sum(p)`` over the last axis, clipped
    to ``[1e-7, 1 - 1e-7]``, then ``-sum(y * log p)``; the gradient flows
    through the normalisation. From logits: ``-sum(y * log_softmax(x))``.

    Args:
        y_true: one-hot targets shaped like ``y_pred`` (integer class labels
            belong to :func:`sparse_categorical_crossentropy`).
        from_logits: whether ``y_pred`` holds logits rather than probabilities.
        label_smoothing: in ``[0, 1]``; targets become ``y * (1 - s) + s / classes``.
        Others as :func:`mean_squared_error`.

    Example:
        >>> round(categorical_crossentropy([[0, 1, 0], [0, 0, 1]], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]]), 4)
        1.1769
    """
    kind = (
        _core.LossKind.categorical_crossentropy_from_logits
        if _check_flag(from_logits, "from_logits")
        else _core.LossKind.categorical_crossentropy
    )
    smoothing = _check_fraction(label_smoothing, "label_smoothing")
    return _dense_loss(
        kind,
        y_true,
        y_pred,
        sample_weight,
        reduction,
        gradient,
        check_labels=_reject_integer_labels(),
        label_smoothing=smoothing,
    )


def sparse_categorical_crossentropy(
    y_true, y_pred, sample_weight=None, *, from_logits=False, reduction="sum_over_batch_size", gradient=False
):
    """Keras's ``sparse_categorical_crossentropy``: integer class labels, reduced.

    Args:
        y_true: class indices in ``[0, classes)``, shaped ``(batch,)`` or ``(batch, 1)``.
        y_pred: ``(batch, classes)`` probabilities (normalised and clipped as
            :func:`categorical_crossentropy` does), or logits.
        from_logits: whether ``y_pred`` holds logits.
        Others as :func:`mean_squared_error`.

    Example:
        >>> round(sparse_categorical_crossentropy([1, 2], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]]), 4)
        1.1769
    """
    from_logits = _check_flag(from_logits, "from_logits")
    y_pred = as_float32(y_pred, "y_pred")
    if y_pred.ndim == 0:
        raise ValueError(f"Expected y_pred to have at least one dimension. Received: y_pred.shape={y_pred.shape}.")
    labels = _sparse_labels(y_true, y_pred)
    batch = _Batch(y_pred, sample_weight, reduction)
    per_sample, grad = batch.outputs(_check_flag(gradient, "gradient"))
    loss = _core.sparse_categorical_crossentropy(
        labels, y_pred.reshape(batch.rows, batch.cols), from_logits, batch.weights, batch.divisor, per_sample, grad
    )
    return batch.result(loss, per_sample, grad, y_pred.shape)


def softmax_crossentropy(
    y_true,
    logits,
    sample_weight=None,
    *,
    sparse=False,
    label_smoothing=0.0,
    reduction="sum_over_batch_size",
    with_probabilities=False,
):
    """Softmax and categorical crossentropy fused, for an output layer with softmax.

    Given the layer's logits (its output before softmax), returns the
    crossentropy of ``softmax(logits)`` and ``d(loss)/d(logits) = (softmax -
    y) * sample_weight / batch`` in one pass: what the layer would get from
    Keras's ``categorical_crossentropy`` (or the sparse one) on its
    probabilities followed by softmax's backward, minus the clipping. Keras's
    numpy / jax / torch backends clip the probabilities to ``[1e-7, 1 - 1e-7]``
    first, so where a labelled probability lies outside that range their loss
    is capped and its gradient zero, while the fused loss keeps ``-log p``; the
    TensorFlow backend uses the logits itself, exactly as here. ``clipped_rows``
    counts those samples: a caller that must reproduce the clipped value can
    fall back to ``categorical_crossentropy`` on the probabilities when it is
    nonzero.

    Args:
        y_true: one-hot targets shaped like ``logits``, or class indices
            (``(batch,)`` or ``(batch, 1)``) with ``sparse=True``.
        logits: ``(batch, classes)`` pre-softmax outputs.
        sample_weight: optional ``(batch,)`` weights (or a scalar).
        sparse: whether ``y_true`` holds class indices.
        label_smoothing: in ``[0, 1]``, for one-hot targets as in
            :func:`categorical_crossentropy`.
        reduction: as :func:`mean_squared_error`, except ``None``.
        with_probabilities: also return ``softmax(logits)``.

    Returns:
        A :class:`SoftmaxCrossentropy` ``(loss, gradient, probabilities, clipped_rows)``.

    Example:
        >>> result = softmax_crossentropy([0, 2], [[2.0, 1.0, 0.1], [0.5, 0.5, 3.0]], sparse=True)
        >>> result.gradient.shape, result.clipped_rows
        ((2, 3), 0)
    """
    logits = as_float32(logits, "logits")
    if logits.ndim == 0:
        raise ValueError(f"Expected logits with at least one dimension. Received: logits.shape={logits.shape}.")
    sparse = _check_flag(sparse, "sparse")
    smoothing = _check_fraction(label_smoothing, "label_smoothing")
    if sparse:
        if smoothing:
            raise ValueError(
                "Expected label_smoothing=0 with sparse=True: Keras's sparse_categorical_crossentropy has no "
                f"label smoothing. Received: label_smoothing={label_smoothing}. Pass one-hot targets to smooth."
            )
        labels, dense = _sparse_labels(y_true, logits), None
    else:
        y_true = as_float32(y_true, "y_true")
        _reject_integer_labels(" (softmax_crossentropy: pass sparse=True)")(y_true, logits)
        # A trailing axis of 1 is reconciled as the unfused loss (and Keras) reconciles it.
        y_true, _ = _same_rank(y_true, logits)
        if y_true.shape != logits.shape:
            raise ValueError(
                "Expected y_true and logits to have the same shape. "
                f"Received: y_true.shape={y_true.shape}, logits.shape={logits.shape}."
            )
        labels, dense = None, y_true.reshape(-1, logits.shape[-1])
    batch = _Batch(logits, sample_weight, reduction)
    _, grad = batch.outputs(True)
    probabilities = np.empty((batch.rows, batch.cols), dtype=np.float32) if with_probabilities else None
    loss, clipped = _core.softmax_crossentropy(
        logits.reshape(batch.rows, batch.cols), dense, labels, smoothing, batch.weights, batch.divisor, None,
        probabilities, grad,
    )
    return SoftmaxCrossentropy(
        loss,
        grad.reshape(logits.shape),
        probabilities.reshape(logits.shape) if with_probabilities else None,
        clipped,
    )
