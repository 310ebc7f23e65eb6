"""Keras's ``update_confusion_matrix_variables`` in NumPy: weighted TP/FP/TN/FN per threshold.

Shared by Precision, Recall and AUC. Predictions count as positive above a
threshold (``y_pred > t``); labels count as positive when nonzero. Evenly
spaced thresholds use Keras's bucketing (``ceil(y_pred * (n - 1)) - 1`` on
predictions clipped to [0, 1]) so the counts agree with Keras's exactly.
"""

import numbers

import numpy as np

from kernas.losses.loss import same_rank
from kernas.metrics.reduce import broadcast_weights
from kernas.ops._checks import as_float32

NEG_INF = -1e10
EPSILON = 1e-7


def parse_thresholds(thresholds, default):
    """Keras's parse_init_thresholds: a list of floats in [0, 1] (``default`` when None)."""
    if thresholds is None:
        return [default]
    values = list(thresholds) if isinstance(thresholds, (list, tuple, np.ndarray)) else [thresholds]
    bad = [t for t in values if isinstance(t, bool) or not isinstance(t, numbers.Real) or not 0 <= t <= 1]
    if bad or not values:
        raise ValueError(f"Expected thresholds in [0, 1]. Received: thresholds={thresholds!r}.")
    return [float(t) for t in values]


def evenly_distributed(thresholds):
    """Keras's is_evenly_distributed_thresholds: three or more at i / (n - 1), within 1e-7."""
    n = len(thresholds)
    if n < 3:
        return False
    even = np.arange(n, dtype=np.float32) / (n - 1)
    return bool(np.allclose(thresholds, even, atol=EPSILON))


def check_top_k_and_class_id(top_k, class_id):
    for name, value, low in (("top_k", top_k, 1), ("class_id", class_id, 0)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low):
            raise ValueError(f"Expected `{name}` to be None or an integer >= {low}. Received: {name}={value!r}.")


def _filter_top_k(y_pred, k):
    """Keeps each row's k largest predictions and sets the rest to NEG_INF, as Keras does."""
    if k >= y_pred.shape[-1]:
        return y_pred
    keep = np.argpartition(-y_pred, k - 1, axis=-1)[..., :k]
    filtered = np.full_like(y_pred, NEG_INF)
    np.put_along_axis(filtered, keep, np.take_along_axis(y_pred, keep, axis=-1), axis=-1)
    return filtered


def prepare(y_true, y_pred, sample_weight, top_k=None, class_id=None):
    """Aligned float32 ``(y_true, y_pred, weights or None)``, weights broadcast to y_pred's shape."""
    y_pred = as_float32(y_pred, "y_pred")
    y_true = as_float32(y_true, "y_true")
    y_pred, y_true = same_rank(y_pred, y_true)
    weights = None
    if sample_weight is not None:
        weights = as_float32(sample_weight, "sample_weight")
        weights = weights.reshape(weights.shape + (1,))
        _, weights = same_rank(y_true, weights, expand_rank_1=False)
    if top_k is not None:
        y_pred = _filter_top_k(y_pred, top_k)
    if class_id is not None:
        if y_pred.ndim == 1:
            raise ValueError(
                "Expected y_pred of shape (samples, classes) with class_id. "
                f"Received: y_pred.shape={y_pred.shape}."
            )
        if class_id >= y_pred.shape[-1]:
            raise ValueError(
                f"Expected class_id below the number of classes {y_pred.shape[-1]}. Received: class_id={class_id}."
            )
        y_true = y_true[..., class_id, None]
        y_pred = y_pred[..., class_id, None]
    if y_true.shape != y_pred.shape:
        raise ValueError(
            "Expected y_true and y_pred to have the same shape. "
            f"Received: y_true.shape={y_true.shape}, y_pred.shape={y_pred.shape}."
        )
    if weights is not None:
        weights = broadcast_weights(weights, y_pred.shape)
    return y_true, y_pred, weights


def counts(y_true, y_pred, weights, thresholds, evenly, multi_label=False, label_weights=None):
    """``(tp, fp, tn, fn)`` float64 arrays of shape ``(T,)``, or ``(T, labels)`` with multi_label."""
    if label_weights is not None and not multi_label:
        lw = np.broadcast_to(label_weights, y_pred.shape)
        weights = lw if weights is None else weights * lw
    positive = y_true != 0
    if multi_label:
        y_true_rows = positive.reshape(-1, y_pred.shape[-1])
        preds = y_pred.reshape(-1, y_pred.shape[-1])
        w = np.ones(preds.shape) if weights is None else weights.reshape(preds.shape).astype(np.float64)
    else:
        y_true_rows = positive.reshape(-1)
        preds = y_pred.reshape(-1)
        w = np.ones(preds.shape) if weights is None else weights.reshape(-1).astype(np.float64)
    true_w = np.where(y_true_rows, w, 0.0)
    false_w = w - true_w
    n = len(thresholds)
    if evenly:
        # Keras's bucketing: bucket b holds predictions above thresholds[0..b].
        # fmax/fmin send NaN to 0, bucket -1: below every threshold, as NaN > t is false.
        buckets = np.ceil(np.fmin(np.fmax(preds, np.float32(0)), np.float32(1)) * np.float32(n - 1)) - np.float32(1)
        if thresholds[0] < 0.0 or thresholds[-1] > 1.0:
            buckets = np.maximum(buckets, 0)
        buckets = buckets.astype(np.intp)
        valid = buckets >= 0
        if multi_label:
            labels = preds.shape[-1]
            index = (buckets + n * np.arange(labels)).ravel()[valid.ravel()]
            tp_b = np.bincount(index, true_w.ravel()[valid.ravel()], n * labels).reshape(labels, n).T
            fp_b = np.bincount(index, false_w.ravel()[valid.ravel()], n * labels).reshape(labels, n).T
        else:
            tp_b = np.bincount(buckets[valid], true_w[valid], n)
            fp_b = np.bincount(buckets[valid], false_w[valid], n)
        tp = np.cumsum(tp_b[::-1], axis=0)[::-1]
        fp = np.cumsum(fp_b[::-1], axis=0)[::-1]
    else:
        above = (preds[None] > np.asarray(thresholds, dtype=np.float32).reshape((n,) + (1,) * preds.ndim))
        tp = (above * true_w).sum(axis=1)
        fp = (above * false_w).sum(axis=1)
    tn = false_w.sum(axis=0) - fp
    fn = true_w.sum(axis=0) - tp
    return tp, fp, tn, fn


def divide_no_nan(a, b):
    """``a / b`` with 0 where ``b`` is 0 (Keras's divide_no_nan)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return np.divide(a, b, out=np.zeros(np.broadcast(a, b).shape), where=b != 0)
