"""NumPy float64 references for the metrics: direct definitions, no bucketing or shortcuts."""

import numpy as np


def weighted_mean(values, weights=None):
    """Mean of per-sample values; weighted by per-sample weights when given."""
    values = np.asarray(values, dtype=np.float64).reshape(len(values), -1).mean(axis=1)
    if weights is None:
        return values.mean()
    weights = np.asarray(weights, dtype=np.float64)
    return (values * weights).sum() / weights.sum()


def confusion_at(y_true, y_pred, threshold, weights=None):
    """Weighted (tp, fp, tn, fn) of the flattened entries: positive when y_pred > threshold."""
    y_true = np.asarray(y_true, dtype=np.float64).reshape(len(y_true), -1) != 0
    y_pred = np.asarray(y_pred, dtype=np.float64).reshape(len(y_true), -1)
    w = np.ones(y_true.shape) if weights is None else np.broadcast_to(np.asarray(weights, np.float64)[:, None], y_true.shape)
    predicted = y_pred > threshold
    return tuple(
        float(w[mask].sum())
        for mask in (predicted & y_true, predicted & ~y_true, ~predicted & ~y_true, ~predicted & y_true)
    )


def roc_auc(y_true, y_pred, thresholds, weights=None):
    """Trapezoidal area under the ROC curve through the points at ``thresholds`` (ascending)."""
    points = []
    for t in thresholds:
        tp, fp, tn, fn = confusion_at(y_true, y_pred, t, weights)
        points.append((fp / (fp + tn) if fp + tn else 0.0, tp / (tp + fn) if tp + fn else 0.0))
    area = 0.0
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        area += (x0 - x1) * (y0 + y1) / 2
    return area
