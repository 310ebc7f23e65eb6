"""Adagrad: per-parameter rates scaled by the accumulated squared gradients."""

from kernas.ops import optimizers as kernels
from kernas.optimizers.optimizer import Optimizer, base_arguments, check_hyperparameter


class Adagrad(Optimizer):
    """The Adagrad optimizer (``keras.optimizers.Adagrad``).

    ``acc += g**2``, ``w -= learning_rate * g / sqrt(acc + epsilon)``, with
    the accumulators starting at ``initial_accumulator_value``.

    Args:
        learning_rate: a float, a ``LearningRateSchedule`` or a callable;
            0.001 by default.
        initial_accumulator_value: a float, the accumulators' start (0.1).
        epsilon: a float, 1e-7 by default.
        weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema,
            ema_momentum, ema_overwrite_frequency, loss_scale_factor,
            gradient_accumulation_steps, name: see ``Optimizer``.

    Example:
        >>> optimizer = kernas.optimizers.Adagrad(learning_rate=0.01)
        >>> optimizer.apply([np.ones(3, np.float32)], [kernas.backend.Variable(np.zeros(3), "w")])
    """

    _kernel_slots = ("accumulator",)

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None, gradient_accumulation_steps=None, name=None,
                 **kwargs):
        super().__init__(**base_arguments(locals()))
        # A negative accumulator puts a negative number under the square root; epsilon 0 divides 0 by 0.
        check_hyperparameter(initial_accumulator_value, "initial_accumulator_value", low=0.0)
        check_hyperparameter(epsilon, "epsilon", low=0.0, include_low=False)
        self.initial_accumulator_value = initial_accumulator_value
        self.epsilon = epsilon

    @property
    def _slot_groups(self):
        return [(("accumulator",), self.initial_accumulator_value)]

    def _kernel_hyperparameters(self):
        return {"epsilon": self.epsilon}

    def _update(self, weights, grads, slots, learning_rate, step, kwargs):
        kernels.adagrad_update(weights, grads, *slots, learning_rate=learning_rate, **kwargs)

    def get_config(self):
        config = super().get_config()
        config.update({"initial_accumulator_value": self.initial_accumulator_value, "epsilon": self.epsilon})
        return config
