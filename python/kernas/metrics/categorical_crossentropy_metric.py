"""Keras's ``CategoricalCrossentropy`` metric."""

from kernas import losses
from kernas.losses import options
from kernas.metrics.mean_metric_wrapper import MeanMetricWrapper


class CategoricalCrossentropy(MeanMetricWrapper):
    """The categorical crossentropy of one-hot labels, averaged over all samples seen.

    Args:
        name: the metric's name (default ``"categorical_crossentropy"``).
        dtype: ``None`` or ``"float32"``.
        from_logits: whether ``y_pred`` holds logits.
        label_smoothing: in ``[0, 1]``, as the loss.
        axis: ``-1`` only.

    Example:
        >>> m = kernas.metrics.CategoricalCrossentropy()
        >>> m.update_state([[0, 1, 0], [0, 0, 1]], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]])
        >>> round(m.result(), 4)
        1.1769
    """

    _direction = "down"  # which way is better, for mode="auto" callbacks

    def __init__(self, name="categorical_crossentropy", dtype=None, from_logits=False, label_smoothing=0, axis=-1):
        super().__init__(
            losses.categorical_crossentropy,
            name=name,
            dtype=dtype,
            from_logits=options.check_from_logits(from_logits),
            label_smoothing=options.check_label_smoothing(label_smoothing),
            axis=options.check_axis(axis),
        )
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis

    def get_config(self):
        return {
            "name": self.name,
            "dtype": self.dtype,
            "from_logits": self.from_logits,
            "label_smoothing": self.label_smoothing,
            "axis": self.axis,
        }

    @classmethod
    def from_config(cls, config):
        return cls(**config)
