"""Keras's ``CategoricalAccuracy`` metric."""

from kernas.metrics import functions
from kernas.metrics.mean_metric_wrapper import MeanMetricWrapper


class CategoricalAccuracy(MeanMetricWrapper):
    """How often the argmax of the one-hot labels is the argmax of the predictions.

    Args:
        name: the metric's name (default ``"categorical_accuracy"``).
        dtype: ``None`` or ``"float32"``.

    Example:
        >>> m = kernas.metrics.CategoricalAccuracy()
        >>> m.update_state([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
        >>> m.result()
        0.5
    """

    _direction = "up"  # which way is better, for mode="auto" callbacks

    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(functions.categorical_accuracy_hits, name=name, dtype=dtype)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        return cls(**config)
