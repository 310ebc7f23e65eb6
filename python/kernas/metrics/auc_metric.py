"""Keras's ``AUC`` metric: the area under the ROC or precision-recall curve."""

import numbers

import numpy as np

from kernas.metrics import confusion
from kernas.metrics.metric import Metric

_CURVES = {"roc": "ROC", "pr": "PR", "prgain": "PRGAIN"}
_SUMMATIONS = ("interpolation", "majoring", "minoring")


class AUC(Metric):
    """Approximates the AUC from confusion counts at a grid of thresholds, as Keras does.

    Args:
        num_thresholds: evenly spaced thresholds (> 1, default 200).
        curve: ``"ROC"``, ``"PR"`` or ``"PRGAIN"`` (any case).
        summation_method: ``"interpolation"`` (trapezoids; for PR, Davis &
            Goadrich's interpolation), ``"majoring"`` or ``"minoring"``.
        name: the metric's name (default ``"auc"``, made unique as Keras does).
        dtype: ``None`` or ``"float32"``.
        thresholds: explicit thresholds in [0, 1] instead of ``num_thresholds``.
        multi_label: one curve per label (column), averaged; otherwise all
            entries are pooled into one curve.
        num_labels: the number of labels with ``multi_label`` (else inferred).
        label_weights: per-label weights (for pooling, or for the average).
        from_logits: apply a sigmoid to ``y_pred`` first.

    Example:
        >>> m = kernas.metrics.AUC(num_thresholds=3)
        >>> m.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])
        >>> round(m.result(), 4)
        0.75
    """

    _state_names = ("true_positives", "false_positives", "true_negatives", "false_negatives")

    _direction = "up"  # which way is better, for mode="auto" callbacks

    def __init__(
        self,
        num_thresholds=200,
        curve="ROC",
        summation_method="interpolation",
        name=None,
        dtype=None,
        thresholds=None,
        multi_label=False,
        num_labels=None,
        label_weights=None,
        from_logits=False,
    ):
        super().__init__(name=name, dtype=dtype)
        if not isinstance(curve, str) or curve.lower() not in _CURVES or curve not in (curve.lower(), curve.upper()):
            raise ValueError(f"Expected curve to be 'ROC', 'PR' or 'PRGAIN'. Received: curve={curve!r}.")
        if not isinstance(summation_method, str) or summation_method.lower() not in _SUMMATIONS or (
            summation_method not in (summation_method.lower(), summation_method.capitalize())
        ):
            raise ValueError(
                f"Expected summation_method in {_SUMMATIONS}. Received: summation_method={summation_method!r}."
            )
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            inner = sorted(confusion.parse_thresholds(thresholds, None))
            self.num_thresholds = len(inner) + 2
            self._evenly = confusion.evenly_distributed([0.0] + inner + [1.0])
        else:
            if isinstance(num_thresholds, bool) or not isinstance(num_thresholds, numbers.Integral) or num_thresholds <= 1:
                raise ValueError(
                    f"Expected num_thresholds to be an integer > 1. Received: num_thresholds={num_thresholds!r}."
                )
            self.num_thresholds = int(num_thresholds)
            inner = [(i + 1) / (self.num_thresholds - 1) for i in range(self.num_thresholds - 2)]
            self._evenly = True
        self._thresholds = [0.0 - confusion.EPSILON] + inner + [1.0 + confusion.EPSILON]
        self.curve = _CURVES[curve.lower()]
        self.summation_method = summation_method.lower()
        self.multi_label = bool(multi_label)
        self.num_labels = num_labels
        if num_labels is not None and not self.multi_label:
            raise ValueError(f"Expected num_labels only with multi_label=True. Received: num_labels={num_labels!r}.")
        self.label_weights = None if label_weights is None else np.asarray(label_weights, dtype=np.float32)
        self._from_logits = bool(from_logits)
        self._labels = num_labels
        self.reset_state()

    @property
    def thresholds(self):
        """The thresholds used, including the two outside [0, 1]."""
        return list(self._thresholds)

    def reset_state(self):
        shape = (self.num_thresholds,) if not self.multi_label else (self.num_thresholds, self._labels or 0)
        for name in self._state_names:
            setattr(self, "_" + name, np.zeros(shape))

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred, weights = confusion.prepare(y_true, y_pred, sample_weight)
        if self._from_logits:
            y_pred = 1.0 / (1.0 + np.exp(-y_pred))
        if self.multi_label:
            if y_pred.ndim != 2:
                raise ValueError(
                    f"Expected y_pred of rank 2 with multi_label=True. Received: y_pred.shape={y_pred.shape}."
                )
            if not self._labels:
                self._labels = y_pred.shape[1]
                self.reset_state()
        tp, fp, tn, fn = confusion.counts(
            y_true, y_pred, weights, self._thresholds, self._evenly, self.multi_label,
            None if self.multi_label else self.label_weights,
        )
        self._true_positives += tp
        self._false_positives += fp
        self._true_negatives += tn
        self._false_negatives += fn

    def _average(self, per_threshold_terms):
        if not self.multi_label:
            return float(per_threshold_terms.sum())
        by_label = per_threshold_terms.sum(axis=0)
        if self.label_weights is None:
            return float(by_label.mean()) if by_label.size else 0.0
        return float(confusion.divide_no_nan((by_label * self.label_weights).sum(), self.label_weights.sum()))

    def _interpolate_pr_auc(self):
        """Davis & Goadrich's interpolation of precision between thresholds (Keras's formula)."""
        tp, fp, fn = self._true_positives, self._false_positives, self._false_negatives
        dtp = tp[:-1] - tp[1:]
        p = tp + fp
        dp = p[:-1] - p[1:]
        slope = confusion.divide_no_nan(dtp, np.maximum(dp, 0))
        intercept = tp[1:] - slope * p[1:]
        both = (p[:-1] > 0) & (p[1:] > 0)
        ratio = np.where(both, confusion.divide_no_nan(p[:-1], np.maximum(p[1:], 0)), 1.0)
        terms = confusion.divide_no_nan(slope * (dtp + intercept * np.log(ratio)), np.maximum(tp[1:] + fn[1:], 0))
        return self._average(terms)

    def result(self):
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self._interpolate_pr_auc()
        tp, fp, tn, fn = (self._true_positives, self._false_positives, self._true_negatives, self._false_negatives)
        recall = confusion.divide_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            x, y = confusion.divide_no_nan(fp, fp + tn), recall
        elif self.curve == "PR":
            x, y = recall, confusion.divide_no_nan(tp, tp + fp)
        else:
            scale = confusion.divide_no_nan(tp + fn, tn + fp)
            recall_gain = np.where(tp == 0, 0.0, 1.0 - scale * confusion.divide_no_nan(fn, tp))
            precision_gain = np.where(tp == 0, 1.0, 1.0 - scale * confusion.divide_no_nan(fp, tp))
            x, y = np.maximum(recall_gain, 0.0), precision_gain
        if self.summation_method == "interpolation":
            heights = (y[:-1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = np.minimum(y[:-1], y[1:])
        else:
            heights = np.maximum(y[:-1], y[1:])
        return self._average((x[:-1] - x[1:]) * heights)

    def get_config(self):
        config = {
            **super().get_config(),
            "num_thresholds": self.num_thresholds,
            "curve": self.curve,
            "summation_method": self.summation_method,
            "multi_label": self.multi_label,
            "num_labels": self.num_labels,
            "label_weights": None if self.label_weights is None else self.label_weights.tolist(),
            "from_logits": self._from_logits,
        }
        if self._init_from_thresholds:
            config["thresholds"] = self._thresholds[1:-1]
        return config
