"""Keras's ``BinaryAccuracy`` metric."""

from kernas.metrics import functions
from kernas.metrics.mean_metric_wrapper import MeanMetricWrapper


class BinaryAccuracy(MeanMetricWrapper):
    """How often ``y_pred > threshold`` agrees with the 0/1 labels.

    Args:
        name: the metric's name (default ``"binary_accuracy"``).
        dtype: ``None`` or ``"float32"``.
        threshold: the probability above which a prediction counts as 1 (default 0.5).

    Example:
        >>> m = kernas.metrics.BinaryAccuracy()
        >>> m.update_state([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]])
        >>> m.result()
        0.75
    """

    _direction = "up"  # which way is better, for mode="auto" callbacks

    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        if isinstance(threshold, bool) or not isinstance(threshold, (int, float)):
            raise ValueError(f"Expected `threshold` to be a float. Received: threshold={threshold!r}.")
        super().__init__(functions.binary_accuracy_hits, name=name, dtype=dtype, threshold=threshold)
        self.threshold = threshold

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "threshold": self.threshold}

    @classmethod
    def from_config(cls, config):
        return cls(**config)
