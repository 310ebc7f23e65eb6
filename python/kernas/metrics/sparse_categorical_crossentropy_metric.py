"""Keras's ``SparseCategoricalCrossentropy`` metric."""

from kernas import losses
from kernas.metrics.crossentropy_metric import CrossentropyMetric


class SparseCategoricalCrossentropy(CrossentropyMetric):
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

    def __init__(
        self, name="sparse_categorical_crossentropy", dtype=None, from_logits=False, ignore_class=None, axis=-1
    ):
        super().__init__(
            losses.sparse_categorical_crossentropy,
            name,
            dtype,
            from_logits=from_logits,
            ignore_class=ignore_class,
            axis=axis,
        )
