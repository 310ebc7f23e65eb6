"""Keras's ``Sum`` metric."""

import numpy as np

from kernas.metrics.metric import Metric
from kernas.metrics.reduce import weighted_totals


class Sum(Metric):
    """The (weighted) sum of the values given to ``update_state``.

    Args:
        name: the metric's name (default ``"sum"``).
        dtype: ``None`` or ``"float32"``.

    Example:
        >>> m = kernas.metrics.Sum()
        >>> m.update_state([1, 3, 5, 7])
        >>> m.result()
        16.0
    """

    _state_names = ("total",)

    def __init__(self, name="sum", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._total = 0.0

    def update_state(self, values, sample_weight=None):
        self._total += weighted_totals(values, sample_weight, np.sum)[0]

    def result(self):
        return self._total

    def reset_state(self):
        self._total = 0.0
