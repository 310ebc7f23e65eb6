"""PolynomialDecay: from the initial to the end learning rate along ``(1 - step / decay_steps) ** power``."""

import math

import numpy as np

from kernas.optimizers.schedules.learning_rate_schedule import (LearningRateSchedule, check_decay_steps, check_finite,
                                                                 correctly_rounded, f32)


class PolynomialDecay(LearningRateSchedule):
    """A learning rate that decays polynomially to an end value.

    ``(initial_learning_rate - end_learning_rate) * (1 - step / decay_steps)
    ** power + end_learning_rate`` with ``step`` capped at ``decay_steps``;
    with ``cycle``, ``decay_steps`` is instead multiplied by
    ``ceil(step / decay_steps)`` (1 at step 0). Evaluated in float32.

    Args:
        initial_learning_rate: a float, the learning rate at step 0.
        decay_steps: a positive number of steps.
        end_learning_rate: a float, 0.0001 by default.
        power: a float, 1.0 by default.
        cycle: whether to restart the decay every ``decay_steps`` steps.
        name: a string, ``"PolynomialDecay"`` by default.

    Example:
        >>> schedule = PolynomialDecay(0.1, decay_steps=10000, end_learning_rate=0.01, power=0.5)
        >>> optimizer = kernas.optimizers.SGD(learning_rate=schedule)
    """

    def __init__(self, initial_learning_rate, decay_steps, end_learning_rate=0.0001, power=1.0, cycle=False,
                 name="PolynomialDecay"):
        super().__init__()
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.end_learning_rate = end_learning_rate
        self.power = power
        self.cycle = cycle
        self.name = name
        check_decay_steps(decay_steps)
        for argument, value in (("initial_learning_rate", initial_learning_rate),
                                ("end_learning_rate", end_learning_rate), ("power", power)):
            check_finite(value, argument)

    def __call__(self, step):
        initial, end, power, decay_steps, one = self._float32(self.initial_learning_rate, self.end_learning_rate,
                                                              self.power, self.decay_steps, 1)
        step = f32(step)
        if self.cycle:
            # The first multiple of decay_steps above step (1 at step 0).
            decay_steps = decay_steps * (one if step == 0 else np.ceil(step / decay_steps))
        else:
            step = min(step, decay_steps)
        p = step / decay_steps
        return (initial - end) * correctly_rounded(math.pow, one - p, power) + end

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "end_learning_rate": self.end_learning_rate, "power": self.power, "cycle": self.cycle,
                "name": self.name}
