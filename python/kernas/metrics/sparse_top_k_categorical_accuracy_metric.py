"""Keras's ``SparseTopKCategoricalAccuracy`` metric."""

from kernas.metrics import functions
from kernas.metrics.mean_metric_wrapper import MeanMetricWrapper


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the integer label's class scores among the ``k`` highest predictions.

    A label tied with the k-th highest score counts as a hit, as in Keras.

    Args:
        k: how many of the top scores count (default 5).
        name: the metric's name (default ``"sparse_top_k_categorical_accuracy"``).
        dtype: ``None`` or ``"float32"``.
        from_sorted_ids: whether ``y_pred`` holds class ids sorted best first
            (from a top-k search) rather than scores.

    Example:
        >>> m = kernas.metrics.SparseTopKCategoricalAccuracy(k=1)
        >>> m.update_state([2,1], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
        >>> m.result()
        0.5
    """

    _direction = "up"  # which way is better, for mode="auto" callbacks

    def __init__(self, k=5, name="sparse_top_k_categorical_accuracy", dtype=None, from_sorted_ids=False):
        super().__init__(
            functions.sparse_top_k_categorical_accuracy_hits, name=name, dtype=dtype, k=functions.check_k(k), from_sorted_ids=bool(from_sorted_ids)
        )
        self.k = k
        self.from_sorted_ids = bool(from_sorted_ids)

    def get_config(self):
        config = {"name": self.name, "dtype": self.dtype, "k": self.k}
        if self.from_sorted_ids:
            config["from_sorted_ids"] = True
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**config)

