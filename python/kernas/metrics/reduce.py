"""Keras's ``reduce_to_samplewise_values`` for the Mean and Sum metrics, in NumPy."""

import numpy as np

from kernas.losses.loss import same_rank
from kernas.ops._checks import as_float32


def broadcast_weights(weights, shape):
    """``weights`` broadcast to ``shape`` (one weight per sample, or a scalar), or a ValueError naming both."""
    try:
        return np.broadcast_to(weights, shape)
    except ValueError:
        raise ValueError(f"Expected sample_weight to hold one weight per sample (or a scalar) for values of shape "
                         f"{shape}. Received: sample_weight.shape={np.shape(weights)}.") from None


def weighted_totals(values, sample_weight, reduce):
    """``(sum of the weighted per-sample values, sum of the weights or None)``.

    ``reduce`` is ``np.mean`` (Mean) or ``np.sum`` (Sum): how the axes past the
    weights' rank, and then past the first, collapse into one value per sample.
    """
    values = np.asarray(values)
    if values.dtype.kind not in "fiub":
        raise TypeError(f"Expected the metric's values to be real numbers. Received: values.dtype={values.dtype}.")
    if sample_weight is None:
        if values.ndim <= 1:
            total = np.count_nonzero(values) if values.dtype == np.bool_ else values.sum(dtype=np.float64)
            return float(total), None
        inner = values.size // values.shape[0] if values.shape[0] else 1
        total = np.count_nonzero(values) if values.dtype == np.bool_ else values.sum(dtype=np.float64)
        return float(total) / (inner if reduce is np.mean else 1), None
    values = values.astype(np.float64, copy=False)
    weights = as_float32(sample_weight, "sample_weight").astype(np.float64)
    values, weights = same_rank(values, weights)
    if values.ndim > weights.ndim:
        values = reduce(values, axis=tuple(range(weights.ndim, values.ndim)))
    weights = broadcast_weights(weights, values.shape)
    values = values * weights
    if weights.ndim > 1:
        weights = reduce(weights, axis=tuple(range(1, weights.ndim)))
    if values.ndim > 1:
        values = reduce(values, axis=tuple(range(1, values.ndim)))
    return float(values.sum()), float(weights.sum())
