"""Keras's ``SparseCategoricalAccuracy`` metric."""

from kernas.metrics import functions
from kernas.metrics.mean_metric_wrapper import MeanMetricWrapper


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often the integer labels are the argmax of the predictions.

    Args:
        name: the metric's name (default ``"sparse_categorical_accuracy"``).
        dtype: ``None`` or ``"float32"``.

    Example:
        >>> m = kernas.metrics.SparseCategoricalAccuracy()
        >>> m.update_state([[2], [1]], [[0.1, 0.6, 0.3], [0.05, 0.95, 0]])
        >>> m.result()
        0.5
    """

    _direction = "up"  # which way is better, for mode="auto" callbacks

    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(functions.sparse_categorical_accuracy_hits, name=name, dtype=dtype)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        return cls(**config)
