"""Keras's ``Precision`` metric."""

import numpy as np

from kernas.metrics import confusion
from kernas.metrics.metric import Metric


class Precision(Metric):
    """true positives / (true positives + false positives): how many of the predicted positives are positive.

    A prediction is positive above a threshold; labels are positive when
    nonzero. With several thresholds, ``result`` is a float32 array, one
    value per threshold (as Keras's tensor).

    Args:
        thresholds: a float or list of floats in [0, 1] (default 0.5, or no
            threshold at all with ``top_k``).
        top_k: count only each sample's ``top_k`` highest predictions as positive.
        class_id: compute the metric for this class (column of ``y_pred``) only.
        name: the metric's name (default ``"precision"``, made unique as Keras does).
        dtype: ``None`` or ``"float32"``.

    Example:
        >>> m = kernas.metrics.Precision()
        >>> m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
        >>> round(m.result(), 4)
        0.6667
    """

    _state_names = ("true_positives", "false_positives")

    _direction = "up"  # which way is better, for mode="auto" callbacks

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        confusion.check_top_k_and_class_id(top_k, class_id)
        self.init_thresholds = thresholds
        self.top_k = top_k
        self.class_id = class_id
        self.thresholds = confusion.parse_thresholds(thresholds, 0.5 if top_k is None else confusion.NEG_INF)
        self._evenly = confusion.evenly_distributed(self.thresholds)
        self.reset_state()

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred, weights = confusion.prepare(y_true, y_pred, sample_weight, self.top_k, self.class_id)
        tp, fp, tn, fn = confusion.counts(y_true, y_pred, weights, self.thresholds, self._evenly)
        self._true_positives += tp
        self._false_positives += fp

    def result(self):
        value = confusion.divide_no_nan(self._true_positives, self._true_positives + self._false_positives)
        return float(value[0]) if len(self.thresholds) == 1 else value.astype(np.float32)

    def reset_state(self):
        self._true_positives = np.zeros(len(self.thresholds))
        self._false_positives = np.zeros(len(self.thresholds))

    def get_config(self):
        return {
            **super().get_config(),
            "thresholds": self.init_thresholds,
            "top_k": self.top_k,
            "class_id": self.class_id,
        }
