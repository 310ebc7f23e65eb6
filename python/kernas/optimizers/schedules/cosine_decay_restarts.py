"""CosineDecayRestarts: cosine decay with warm restarts (SGDR)."""

import math

import numpy as np

from kernas.optimizers.schedules.learning_rate_schedule import (LearningRateSchedule, check_decay_steps, check_finite,
                                                                 correctly_rounded, f32)

_PI = f32(math.pi)


class CosineDecayRestarts(LearningRateSchedule):
    """A cosine decay with warm restarts (SGDR, Loshchilov & Hutter).

    The multiplier decays from 1 to ``alpha`` over ``first_decay_steps``
    steps, then restarts; each period lasts ``t_mul`` times longer than the
    previous one and starts ``m_mul`` times lower. Evaluated in float32.

    Args:
        initial_learning_rate: a float, the learning rate at step 0.
        first_decay_steps: a positive number of steps in the first period.
        t_mul: a float, the growth of the period length (2.0 by default).
        m_mul: a float, the factor on each period's starting rate (1.0).
        alpha: a float, the minimum rate as a fraction of
            ``initial_learning_rate``.
        name: a string, ``"SGDRDecay"`` by default.

    Example:
        >>> schedule = CosineDecayRestarts(0.1, first_decay_steps=1000)
        >>> optimizer = kernas.optimizers.SGD(learning_rate=schedule)
    """

    def __init__(self, initial_learning_rate, first_decay_steps, t_mul=2.0, m_mul=1.0, alpha=0.0, name="SGDRDecay"):
        super().__init__()
        self.initial_learning_rate = initial_learning_rate
        self.first_decay_steps = first_decay_steps
        self._t_mul = t_mul
        self._m_mul = m_mul
        self.alpha = alpha
        self.name = name
        check_decay_steps(first_decay_steps, "first_decay_steps")
        for argument, value in (("initial_learning_rate", initial_learning_rate), ("t_mul", t_mul), ("m_mul", m_mul),
                                ("alpha", alpha)):
            check_finite(value, argument)

    def __call__(self, step):
        initial, first_decay_steps, alpha, t_mul, m_mul, half, one = self._float32(
            self.initial_learning_rate, self.first_decay_steps, self.alpha, self._t_mul, self._m_mul, 0.5, 1)
        fraction = f32(step) / first_decay_steps
        if t_mul == one:
            restart = np.floor(fraction)
            fraction = fraction - restart
        else:
            restart = np.floor(correctly_rounded(math.log, one - fraction * (one - t_mul))
                               / correctly_rounded(math.log, t_mul))
            t_power = correctly_rounded(math.pow, t_mul, restart)
            fraction = (fraction - (one - t_power) / (one - t_mul)) / t_power
        m_factor = correctly_rounded(math.pow, m_mul, restart)
        cosine = half * m_factor * (one + correctly_rounded(math.cos, _PI * fraction))
        return initial * ((one - alpha) * cosine + alpha)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "first_decay_steps": self.first_decay_steps,
                "t_mul": self._t_mul, "m_mul": self._m_mul, "alpha": self.alpha, "name": self.name}
