"""Keras's ``BinaryCrossentropy`` metric."""

from kernas import losses
from kernas.losses import options
from kernas.metrics.mean_metric_wrapper import MeanMetricWrapper


class BinaryCrossentropy(MeanMetricWrapper):
    """The binary crossentropy, averaged over all samples seen.

    Args:
        name: the metric's name (default ``"binary_crossentropy"``).
        dtype: ``None`` or ``"float32"``.
        from_logits: whether ``y_pred`` holds logits.
        label_smoothing: in ``[0, 1]``, as the loss.

    Example:
        >>> m = kernas.metrics.BinaryCrossentropy()
        >>> m.update_state([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]])
        >>> round(m.result(), 4)
        0.8149
    """

    _direction = "down"  # which way is better, for mode="auto" callbacks

    def __init__(self, name="binary_crossentropy", dtype=None, from_logits=False, label_smoothing=0):
        super().__init__(
            losses.binary_crossentropy,
            name=name,
            dtype=dtype,
            from_logits=options.check_from_logits(from_logits),
            label_smoothing=options.check_label_smoothing(label_smoothing),
        )
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing

    def get_config(self):
        return {
            "name": self.name,
            "dtype": self.dtype,
            "from_logits": self.from_logits,
            "label_smoothing": self.label_smoothing,
        }

    @classmethod
    def from_config(cls, config):
        return cls(**config)
