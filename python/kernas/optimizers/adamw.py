"""AdamW: Adam with decoupled weight decay."""

from kernas.optimizers.adam import Adam
from kernas.optimizers.optimizer import base_arguments


class AdamW(Adam):
    """Adam with decoupled weight decay (``keras.optimizers.AdamW``).

    Each step first shrinks the weights, ``w -= w * weight_decay *
    learning_rate``, then applies Adam's update.

    Args:
        learning_rate: a float, a ``LearningRateSchedule`` or a callable;
            0.001 by default.
        weight_decay: a float, 0.004 by default (``None`` is an error).
        beta_1, beta_2, epsilon, amsgrad: as in ``Adam``.
        clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
            ema_overwrite_frequency, loss_scale_factor,
            gradient_accumulation_steps, name: see ``Optimizer``.

    Example:
        >>> optimizer = kernas.optimizers.AdamW(learning_rate=0.001, weight_decay=0.01)
        >>> optimizer.exclude_from_weight_decay(var_names=["bias"])
    """

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None, gradient_accumulation_steps=None, name=None,
                 **kwargs):
        super().__init__(beta_1=beta_1, beta_2=beta_2, epsilon=epsilon, amsgrad=amsgrad,
                         **base_arguments(locals()))
        if self.weight_decay is None:
            raise ValueError("Argument `weight_decay` must be a float. Received: weight_decay=None")
