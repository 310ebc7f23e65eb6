"""ExponentialDecay: ``initial_learning_rate * decay_rate ** (step / decay_steps)``."""

import math

import numpy as np

from kernas.optimizers.schedules.learning_rate_schedule import RateDecay, correctly_rounded, f32


class ExponentialDecay(RateDecay):
    """A learning rate that decays exponentially with the step.

    ``initial_learning_rate * decay_rate ** (step / decay_steps)``, with
    ``step / decay_steps`` floored when ``staircase``; evaluated in float32.

    Args:
        initial_learning_rate: a float, the learning rate at step 0.
        decay_steps: a positive number of steps.
        decay_rate: a float, the factor applied every ``decay_steps`` steps.
        staircase: whether to decay at discrete intervals.
        name: a string, ``"ExponentialDecay"`` by default.

    Example:
        >>> schedule = ExponentialDecay(0.1, decay_steps=1000, decay_rate=0.96, staircase=True)
        >>> optimizer = kernas.optimizers.SGD(learning_rate=schedule)
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False, name="ExponentialDecay"):
        super().__init__(initial_learning_rate, decay_steps, decay_rate, staircase, name)

    def __call__(self, step):
        initial, decay_steps, decay_rate = self._float32(self.initial_learning_rate, self.decay_steps, self.decay_rate)
        p = f32(step) / decay_steps
        if self.staircase:
            p = np.floor(p)
        return initial * correctly_rounded(math.pow, decay_rate, p)

