"""The base of Precision and Recall: true positives over true positives plus one other count."""

import numpy as np

from kernas.metrics import confusion
from kernas.metrics.metric import Metric


class ConfusionRatio(Metric):
    """``true_positives / (true_positives + other)`` per threshold, ``other`` the second of ``_state_names``.

    Subclasses set ``_state_names = ("true_positives", other)`` and
    ``_other_index``, the position of ``other`` in ``confusion.counts``'s
    ``(tp, fp, tn, fn)``.

    Args:
        thresholds: a float or list of floats in [0, 1] (default 0.5, or no
            threshold at all with ``top_k``).
        top_k: count only each sample's ``top_k`` highest predictions as positive.
        class_id: compute the metric for this class (column of ``y_pred``) only.
        name: the metric's name (default the snake-cased class name, made unique as Keras does).
        dtype: ``None`` or ``"float32"``.
    """

    _other_index = 1

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
        counts = confusion.counts(y_true, y_pred, weights, self.thresholds, self._evenly)
        self._true_positives += counts[0]
        self._other += counts[self._other_index]

    def result(self):
        value = confusion.divide_no_nan(self._true_positives, self._true_positives + self._other)
        return float(value[0]) if len(self.thresholds) == 1 else value.astype(np.float32)

    def reset_state(self):
        self._true_positives = np.zeros(len(self.thresholds))
        self._other = np.zeros(len(self.thresholds))
        # The same array under its Keras name, for ``variables``: updates are in place, so the two stay one.
        setattr(self, "_" + self._state_names[1], self._other)

    def get_config(self):
        return {
            **super().get_config(),
            "thresholds": self.init_thresholds,
            "top_k": self.top_k,
            "class_id": self.class_id,
        }
