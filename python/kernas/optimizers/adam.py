"""Adam: adaptive moment estimation."""

from kernas.ops import optimizers as kernels
from kernas.optimizers.optimizer import Optimizer, base_arguments, check_flag, check_hyperparameter


class Adam(Optimizer):
    """The Adam optimizer (``keras.optimizers.Adam``).

    ``alpha = learning_rate * sqrt(1 - beta_2**t) / (1 - beta_1**t)``,
    ``m += (g - m) * (1 - beta_1)``, ``v += (g**2 - v) * (1 - beta_2)``,
    ``w -= alpha * m / (sqrt(v) + epsilon)``; AMSGrad uses the running
    maximum of ``v``.

    Args:
        learning_rate: a float, a ``LearningRateSchedule`` or a callable;
            0.001 by default.
        beta_1: a float, the decay of the first moment (0.9).
        beta_2: a float, the decay of the second moment (0.999).
        epsilon: a float, 1e-7 by default.
        amsgrad: whether to apply AMSGrad.
        weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema,
            ema_momentum, ema_overwrite_frequency, loss_scale_factor,
            gradient_accumulation_steps, name: see ``Optimizer``.

    Example:
        >>> optimizer = kernas.optimizers.Adam(learning_rate=0.01, amsgrad=True)
        >>> optimizer.apply([np.ones(3, np.float32)], [kernas.backend.Variable(np.zeros(3), "w")])
    """

    _kernel_slots = ("momentum", "velocity", "velocity_hat")

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None, gradient_accumulation_steps=None, name=None,
                 **kwargs):
        super().__init__(**base_arguments(locals()))
        # A beta of 1 divides by 1 - beta**t = 0; an epsilon of 0 divides 0 by 0 where a gradient is 0.
        for argument, value in (("beta_1", beta_1), ("beta_2", beta_2)):
            check_hyperparameter(value, argument, low=0.0, high=1.0, include_high=False)
        check_hyperparameter(epsilon, "epsilon", low=0.0, include_low=False)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.amsgrad = check_flag(amsgrad, "amsgrad")

    @property
    def _slot_groups(self):
        groups = [(("momentum", "velocity"), 0.0)]
        if self.amsgrad:
            groups.append((("velocity_hat",), 0.0))
        return groups

    def _kernel_hyperparameters(self):
        return {"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon, "amsgrad": bool(self.amsgrad)}

    def _update(self, weights, grads, slots, learning_rate, step, kwargs):
        kernels.adam_update(weights, grads, *slots, step=step, learning_rate=learning_rate, **kwargs)

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon,
                       "amsgrad": self.amsgrad})
        return config
