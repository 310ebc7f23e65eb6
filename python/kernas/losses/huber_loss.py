"""Keras's ``Huber`` loss."""

from kernas.losses import options
from kernas.losses.kernel_loss import KernelLoss
from kernas.ops import losses as loss_ops


class Huber(KernelLoss):
    """Quadratic for errors up to ``delta``, linear beyond, averaged over the last axis.

    Args:
        delta: the positive error at which the loss turns linear (default 1.0).
        reduction: Keras's reduction (default ``"sum_over_batch_size"``).
        name: the loss's name (default ``"huber_loss"``, as Keras).
        dtype: ``None`` or ``"float32"``.

    ``get_config`` includes ``delta`` (Keras 3 leaves it out, so its round
    trip forgets a non-default delta; the key is one Keras's constructor takes).

    Example:
        >>> round(kernas.losses.Huber()([[0.0, 1.0], [0.0, 0.0]], [[0.6, 0.4], [0.4, 0.6]]), 3)
        0.155
    """

    def __init__(self, delta=1.0, reduction="sum_over_batch_size", name="huber_loss", dtype=None):
        super().__init__(
            loss_ops.huber, name=name, reduction=reduction, dtype=dtype, delta=float(options.check_delta(delta))
        )
        self.delta = delta

    def get_config(self):
        return {**super().get_config(), "delta": self.delta}
