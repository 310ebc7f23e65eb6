"""Keras's ``MeanSquaredError`` loss."""

from kernas.losses.kernel_loss import KernelLoss
from kernas.ops import losses as loss_ops


class MeanSquaredError(KernelLoss):
    """Mean of the squared errors over the last axis: ``mean((y_true - y_pred) ** 2, axis=-1)``.

    Args:
        reduction: Keras's reduction (default ``"sum_over_batch_size"``).
        name: the loss's name (default ``"mean_squared_error"``).
        dtype: ``None`` or ``"float32"``.

    Example:
        >>> kernas.losses.MeanSquaredError()([[0.0, 1.0]], [[1.0, 1.0]])
        0.5
    """

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_error", dtype=None):
        super().__init__(loss_ops.mean_squared_error, name=name, reduction=reduction, dtype=dtype)
