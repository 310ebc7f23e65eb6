"""InverseTimeDecay: ``initial_learning_rate / (1 + decay_rate * step / decay_steps)``."""

import numpy as np

from kernas.optimizers.schedules.learning_rate_schedule import RateDecay, f32


class InverseTimeDecay(RateDecay):
    """A learning rate that decays as the inverse of the step.

    ``initial_learning_rate / (1 + decay_rate * step / decay_steps)``, with
    ``step / decay_steps`` floored when ``staircase``; evaluated in float32.

    Args:
        initial_learning_rate: a float, the learning rate at step 0.
        decay_steps: a positive number of steps.
        decay_rate: a float.
        staircase: whether to decay at discrete intervals.
        name: a string, ``"InverseTimeDecay"`` by default.

    Example:
        >>> schedule = InverseTimeDecay(0.1, decay_steps=1.0, decay_rate=0.5)
        >>> optimizer = kernas.optimizers.SGD(learning_rate=schedule)
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False, name="InverseTimeDecay"):
        super().__init__(initial_learning_rate, decay_steps, decay_rate, staircase, name)

    def __call__(self, step):
        initial, decay_steps, decay_rate, one = self._float32(self.initial_learning_rate, self.decay_steps,
                                                              self.decay_rate, 1)
        p = f32(step) / decay_steps
        if self.staircase:
            p = np.floor(p)
        return initial / (one + decay_rate * p)

