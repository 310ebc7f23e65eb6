"""Keras's ``TopKCategoricalAccuracy`` metric."""

from kernas.metrics import functions
from kernas.metrics.mean_metric_wrapper import MeanMetricWrapper


class TopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the one-hot label's class scores among the ``k`` highest predictions.

    A label tied with the k-th highest score counts as a hit, as in Keras.

    Args:
        k: how many of the top scores count (default 5).
        name: the metric's name (default ``"top_k_categorical_accuracy"``).
        dtype: ``None`` or ``"float32"``.

    Example:
        >>> m = kernas.metrics.TopKCategoricalAccuracy(k=1)
        >>> m.update_state([[0,0,1],[0,1,0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
        >>> m.result()
        0.5
    """

    _direction = "up"  # which way is better, for mode="auto" callbacks

    def __init__(self, k=5, name="top_k_categorical_accuracy", dtype=None):
        super().__init__(functions.top_k_categorical_accuracy_hits, name=name, dtype=dtype, k=functions.check_k(k))
        self.k = k

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "k": self.k}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

