"""RMSprop: gradients scaled by a moving average of their squares."""

from kernas.ops import optimizers as kernels
from kernas.optimizers.optimizer import Optimizer, base_arguments, check_flag, check_hyperparameter


class RMSprop(Optimizer):
    """The RMSprop optimizer (``keras.optimizers.RMSprop``).

    ``v = rho * v + (1 - rho) * g**2``; centered: ``a = rho * a + (1 - rho)
    * g`` and ``d = v - a**2 + epsilon``, else ``d = v + epsilon``;
    ``increment = learning_rate * g / sqrt(d)``; with momentum ``m =
    momentum * m + increment`` and ``w -= m``, else ``w -= increment``.

    Args:
        learning_rate: a float, a ``LearningRateSchedule`` or a callable;
            0.001 by default.
        rho: a float, the decay of the moving average (0.9).
        momentum: a float, 0.0 by default.
        epsilon: a float, 1e-7 by default.
        centered: whether to normalise by the estimated variance.
        weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema,
            ema_momentum, ema_overwrite_frequency, loss_scale_factor,
            gradient_accumulation_steps, name: see ``Optimizer``.

    Example:
        >>> optimizer = kernas.optimizers.RMSprop(learning_rate=0.001, momentum=0.9, centered=True)
        >>> optimizer.apply([np.ones(3, np.float32)], [kernas.backend.Variable(np.zeros(3), "w")])
    """

    _kernel_slots = ("velocity", "momentum", "average_gradient")

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None, gradient_accumulation_steps=None, name=None,
                 **kwargs):
        super().__init__(**base_arguments(locals()))
        # rho > 1 makes the squared average negative (NaN at its square root); epsilon 0 divides 0 by 0.
        check_hyperparameter(rho, "rho", low=0.0, high=1.0, include_high=False)
        check_hyperparameter(momentum, "momentum", low=0.0, high=1.0)
        check_hyperparameter(epsilon, "epsilon", low=0.0, include_low=False)
        self.rho = rho
        self.momentum = momentum
        self.epsilon = epsilon
        self.centered = check_flag(centered, "centered")

    @property
    def _slot_groups(self):
        # Keras creates all velocities, then all momentums, then all average gradients.
        groups = [(("velocity",), 0.0)]
        if self.momentum > 0:
            groups.append((("momentum",), 0.0))
        if self.centered:
            groups.append((("average_gradient",), 0.0))
        return groups

    def _kernel_hyperparameters(self):
        return {"rho": self.rho, "momentum": self.momentum, "epsilon": self.epsilon,
                "centered": bool(self.centered)}

    def _update(self, weights, grads, slots, learning_rate, step, kwargs):
        kernels.rmsprop_update(weights, grads, *slots, learning_rate=learning_rate, **kwargs)

    def get_config(self):
        config = super().get_config()
        config.update({"rho": self.rho, "momentum": self.momentum, "epsilon": self.epsilon,
                       "centered": self.centered})
        return config
