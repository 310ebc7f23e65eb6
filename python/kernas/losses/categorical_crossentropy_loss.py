"""Keras's ``CategoricalCrossentropy`` loss."""

from kernas.losses.smoothed_crossentropy_loss import SmoothedCrossentropy
from kernas.ops import losses as loss_ops


class CategoricalCrossentropy(SmoothedCrossentropy):
    """Crossentropy of one-hot (or soft) targets against class probabilities.

    Integer class labels are refused with the two fixes:
    ``kernas.utils.to_categorical`` or ``SparseCategoricalCrossentropy``.

    Args:
        from_logits: whether ``y_pred`` holds logits rather than probabilities.
        label_smoothing: in ``[0, 1]``; targets become ``y * (1 - s) + s / classes``.
        axis: ``-1`` only (the class axis is last).
        reduction: Keras's reduction (default ``"sum_over_batch_size"``).
        name: the loss's name (default ``"categorical_crossentropy"``).
        dtype: ``None`` or ``"float32"``.

    Example:
        >>> cce = kernas.losses.CategoricalCrossentropy()
        >>> round(cce([[0, 1, 0], [0, 0, 1]], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]]), 4)
        1.1769
    """

    def __init__(
        self,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction="sum_over_batch_size",
        name="categorical_crossentropy",
        dtype=None,
    ):
        super().__init__(loss_ops.categorical_crossentropy, from_logits, label_smoothing, axis, reduction, name, dtype)

    def fused_softmax_kind(self):
        """``"categorical"`` for probabilities (a softmax output may be fused), ``None`` for logits."""
        return None if self.from_logits else "categorical"
