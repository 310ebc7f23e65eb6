"""Keras's ``SparseCategoricalCrossentropy`` metric."""

from kernas import losses
from kernas.losses import options
from kernas.metrics.mean_metric_wrapper import MeanMetricWrapper


class SparseCategoricalCrossentropy(MeanMetricWrapper):
    """The crossentropy of integer labels, averaged over all samples seen.

    Args:
        name: the metric's name (default ``"sparse_categorical_crossentropy"``).
        dtype: ``None`` or ``"float32"``.
        from_logits: whether ``y_pred`` holds logits.
        ignore_class: ``None`` only.
        axis: ``-1`` only.

    Example:
        >>> m = kernas.metrics.SparseCategoricalCrossentropy()
        >>> m.update_state([1, 2], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]])
        >>> round(m.result(), 4)
        1.1769
    """

    _direction = "down"  # which way is better, for mode="auto" callbacks

    def __init__(
        self, name="sparse_categorical_crossentropy", dtype=None, from_logits=False, ignore_class=None, axis=-1
    ):
        super().__init__(
            losses.sparse_categorical_crossentropy,
            name=name,
            dtype=dtype,
            from_logits=options.check_from_logits(from_logits),
            ignore_class=options.check_ignore_class(ignore_class),
            axis=options.check_axis(axis),
        )
        self.from_logits = from_logits
        self.ignore_class = ignore_class
        self.axis = axis

    def get_config(self):
        return {
            "name": self.name,
            "dtype": self.dtype,
            "from_logits": self.from_logits,
            "ignore_class": self.ignore_class,
            "axis": self.axis,
        }

    @classmethod
    def from_config(cls, config):
        return cls(**config)
