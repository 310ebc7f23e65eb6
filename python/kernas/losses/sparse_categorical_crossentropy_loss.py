"""Keras's ``SparseCategoricalCrossentropy`` loss."""

from kernas.losses import options
from kernas.losses.kernel_loss import KernelLoss
from kernas.ops import losses as loss_ops


class SparseCategoricalCrossentropy(KernelLoss):
    """Crossentropy of integer class labels against class probabilities.

    Labels outside ``[0, classes)`` are refused, with a hint to subtract 1
    when they look 1-indexed.

    Args:
        from_logits: whether ``y_pred`` holds logits rather than probabilities.
        ignore_class: ``None`` only (give ignored samples ``sample_weight=0``).
        reduction: Keras's reduction (default ``"sum_over_batch_size"``).
        axis: ``-1`` only (the class axis is last).
        name: the loss's name (default ``"sparse_categorical_crossentropy"``).
        dtype: ``None`` or ``"float32"``.

    Example:
        >>> scce = kernas.losses.SparseCategoricalCrossentropy()
        >>> round(scce([1, 2], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]]), 4)
        1.1769
    """

    # Keras's sparse crossentropy never smooths; the fused softmax path reads this.
    label_smoothing = 0.0

    def __init__(
        self,
        from_logits=False,
        ignore_class=None,
        reduction="sum_over_batch_size",
        axis=-1,
        name="sparse_categorical_crossentropy",
        dtype=None,
    ):
        super().__init__(
            loss_ops.sparse_categorical_crossentropy,
            name=name,
            reduction=reduction,
            dtype=dtype,
            from_logits=options.check_from_logits(from_logits),
        )
        self.from_logits = from_logits
        self.ignore_class = options.check_ignore_class(ignore_class)
        self.axis = options.check_axis(axis)

    def fused_softmax_kind(self):
        """``"sparse"`` for probabilities (a softmax output may be fused), ``None`` for logits."""
        return None if self.from_logits else "sparse"

    def get_config(self):
        return {**super().get_config(), "from_logits": self.from_logits, "ignore_class": self.ignore_class}
