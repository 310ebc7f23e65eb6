"""Keras's ``BinaryCrossentropy`` metric."""

from kernas import losses
from kernas.metrics.crossentropy_metric import CrossentropyMetric


class BinaryCrossentropy(CrossentropyMetric):
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

    def __init__(self, name="binary_crossentropy", dtype=None, from_logits=False, label_smoothing=0):
        super().__init__(
            losses.binary_crossentropy,
            name,
            dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
        )
