"""Keras's ``Accuracy`` metric."""

from kernas.metrics import functions
from kernas.metrics.mean_metric_wrapper import MeanMetricWrapper


class Accuracy(MeanMetricWrapper):
    """How often predictions equal the labels exactly.

    Args:
        name: the metric's name (default ``"accuracy"``).
        dtype: ``None`` or ``"float32"``.

    Example:
        >>> m = kernas.metrics.Accuracy()
        >>> m.update_state([[1], [2], [3], [4]], [[0], [2], [3], [4]])
        >>> m.result()
        0.75
    """

    _direction = "up"  # which way is better, for mode="auto" callbacks

    def __init__(self, name="accuracy", dtype=None):
        super().__init__(functions.accuracy_hits, name=name, dtype=dtype)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        return cls(**config)
