"""Keras's ``MeanAbsoluteError`` loss."""

from kernas.losses.kernel_loss import KernelLoss
from kernas.ops import losses as loss_ops


class MeanAbsoluteError(KernelLoss):
    """Mean of the absolute errors over the last axis: ``mean(abs(y_true - y_pred), axis=-1)``.

    The gradient takes ``sign(0) = 0`` where ``y_pred == y_true``.

    Args:
        reduction: Keras's reduction (default ``"sum_over_batch_size"``).
        name: the loss's name (default ``"mean_absolute_error"``).
        dtype: ``None`` or ``"float32"``.

    Example:
        >>> kernas.losses.MeanAbsoluteError()([[0.0, 1.0]], [[1.0, 1.0]])
        0.5
    """

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_error", dtype=None):
        super().__init__(loss_ops.mean_absolute_error, name=name, reduction=reduction, dtype=dtype)
