"""Keras's ``CategoricalCrossentropy`` metric."""

from kernas import losses
from kernas.metrics.crossentropy_metric import CrossentropyMetric


class CategoricalCrossentropy(CrossentropyMetric):
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

    def __init__(self, name="categorical_crossentropy", dtype=None, from_logits=False, label_smoothing=0, axis=-1):
        super().__init__(
            losses.categorical_crossentropy,
            name,
            dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )
