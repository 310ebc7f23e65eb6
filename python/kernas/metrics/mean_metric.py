"""Keras's ``Mean`` metric."""

import numpy as np

from kernas.metrics.metric import Metric
from kernas.metrics.reduce import weighted_totals


class Mean(Metric):
    """The (weighted) mean of the values given to ``update_state``.

    Values of rank above one are first averaged to one value per sample;
    ``sample_weight`` weights the samples and the mean divides by the sum
    of the weights (by the number of samples without weights).

    Args:
        name: the metric's name (default ``"mean"``).
        dtype: ``None`` or ``"float32"``.

    Example:
        >>> m = kernas.metrics.Mean()
        >>> m.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
        >>> m.result()
        2.0
    """

    _state_names = ("total", "count")

    def __init__(self, name="mean", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._total = 0.0
        self._count = 0.0

    def update_state(self, values, sample_weight=None):
        self._accumulate(values, sample_weight)

    def _accumulate(self, values, sample_weight):
        total, weight = weighted_totals(values, sample_weight, np.mean)
        self._total += total
        if weight is not None:
            self._count += weight
        else:
            shape = np.shape(values)
            self._count += shape[0] if shape else 1

    def result(self):
        return self._total / self._count if self._count else 0.0

    def reset_state(self):
        self._total = 0.0
        self._count = 0.0
