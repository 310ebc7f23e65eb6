"""SGD: gradient descent with optional (Nesterov) momentum."""

from kernas.ops import optimizers as kernels
from kernas.optimizers.optimizer import Optimizer, base_arguments, check_flag


class SGD(Optimizer):
    """Gradient descent (with momentum) optimizer (``keras.optimizers.SGD``).

    Without momentum ``w = w - learning_rate * g``; with it ``velocity =
    momentum * velocity - learning_rate * g`` and ``w = w + velocity``
    (Nesterov: ``w = w + momentum * velocity - learning_rate * g``).

    Args:
        learning_rate: a float, a ``LearningRateSchedule`` or a callable;
            0.01 by default.
        momentum: a float in [0, 1], 0.0 by default.
        nesterov: whether to apply Nesterov momentum.
        weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema,
            ema_momentum, ema_overwrite_frequency, loss_scale_factor,
            gradient_accumulation_steps, name: see ``Optimizer``.

    Example:
        >>> optimizer = kernas.optimizers.SGD(learning_rate=0.1, momentum=0.9, nesterov=True)
        >>> optimizer.apply([np.ones(3, np.float32)], [kernas.backend.Variable(np.zeros(3), "w")])
    """

    _kernel_slots = ("momentum",)

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, weight_decay=None, clipnorm=None,
                 clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(**base_arguments(locals()))
        if not isinstance(momentum, float) or not 0 <= momentum <= 1:  # NaN fails the comparison too
            raise ValueError(f"`momentum` must be a float between [0, 1]. Received: momentum={momentum!r}.")
        self.momentum = momentum
        self.nesterov = check_flag(nesterov, "nesterov")

    @property
    def _slot_groups(self):
        return [(("momentum",), 0.0)] if self.momentum != 0 else []

    def _kernel_hyperparameters(self):
        return {"momentum": self.momentum, "nesterov": bool(self.nesterov)}

    def _update(self, weights, grads, slots, learning_rate, step, kwargs):
        kernels.sgd_update(weights, grads, *slots, learning_rate=learning_rate, **kwargs)

    def get_config(self):
        config = super().get_config()
        config.update({"momentum": self.momentum, "nesterov": self.nesterov})
        return config
