"""Keras's ``BinaryCrossentropy`` loss."""

from kernas.losses.smoothed_crossentropy_loss import SmoothedCrossentropy
from kernas.ops import losses as loss_ops


class BinaryCrossentropy(SmoothedCrossentropy):
    """Crossentropy of 0/1 (or soft) targets, averaged over the last axis.

    Args:
        from_logits: whether ``y_pred`` holds logits rather than probabilities.
        label_smoothing: in ``[0, 1]``; targets become ``y * (1 - s) + s / 2``.
        axis: ``-1`` only (kernas reduces over the last axis).
        reduction: Keras's reduction (default ``"sum_over_batch_size"``).
        name: the loss's name (default ``"binary_crossentropy"``).
        dtype: ``None`` or ``"float32"``.

    Example:
        >>> round(kernas.losses.BinaryCrossentropy()([[0.0, 1.0], [0.0, 0.0]], [[0.6, 0.4], [0.4, 0.6]]), 4)
        0.8149
    """

    def __init__(
        self,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction="sum_over_batch_size",
        name="binary_crossentropy",
        dtype=None,
    ):
        super().__init__(loss_ops.binary_crossentropy, from_logits, label_smoothing, axis, reduction, name, dtype)
