"""Keras's ``MeanSquaredError`` metric."""

from kernas import losses
from kernas.metrics.mean_metric_wrapper import MeanMetricWrapper


class MeanSquaredError(MeanMetricWrapper):
    """The mean squared error over the last axis, averaged over all samples seen.

    Args:
        name: the metric's name (default ``"mean_squared_error"``).
        dtype: ``None`` or ``"float32"``.

    Example:
        >>> m = kernas.metrics.MeanSquaredError()
        >>> m.update_state([[0, 1], [0, 0]], [[1, 1], [0, 0]])
        >>> m.result()
        0.25
    """

    _direction = "down"  # which way is better, for mode="auto" callbacks

    def __init__(self, name="mean_squared_error", dtype=None):
        super().__init__(losses.mean_squared_error, name=name, dtype=dtype)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        return cls(**config)
