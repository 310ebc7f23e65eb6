"""CosineDecay: a cosine decay, optionally after a linear warmup."""

import math

from kernas.optimizers.schedules.learning_rate_schedule import (LearningRateSchedule, check_decay_steps, check_finite,
                                                                 correctly_rounded, f32)

_PI = f32(math.pi)


class CosineDecay(LearningRateSchedule):
    """A cosine decay with an optional linear warmup (SGDR, Loshchilov & Hutter).

    Without ``warmup_target``: ``initial_learning_rate * ((1 - alpha) * 0.5 *
    (1 + cos(pi * step / decay_steps)) + alpha)`` with ``step`` capped at
    ``decay_steps``. With it, the rate first rises linearly from
    ``initial_learning_rate`` to ``warmup_target`` over ``warmup_steps``, then
    decays the same way from ``warmup_target``. Evaluated in float32.

    Args:
        initial_learning_rate: a float, the learning rate at step 0.
        decay_steps: a positive number of steps to decay over.
        alpha: a float, the final rate as a fraction of the decay's start.
        name: a string, ``"CosineDecay"`` by default.
        warmup_target: ``None`` (no warmup) or the float reached by the warmup.
        warmup_steps: the number of warmup steps, 0 by default.

    Example:
        >>> schedule = CosineDecay(0.0, decay_steps=1000, warmup_target=0.1, warmup_steps=100)
        >>> optimizer = kernas.optimizers.SGD(learning_rate=schedule)
    """

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name="CosineDecay", warmup_target=None,
                 warmup_steps=0):
        super().__init__()
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.alpha = alpha
        self.name = name
        self.warmup_steps = warmup_steps
        self.warmup_target = warmup_target
        check_decay_steps(decay_steps)
        check_finite(initial_learning_rate, "initial_learning_rate")
        check_finite(alpha, "alpha")
        check_finite(warmup_steps, "warmup_steps")
        if warmup_target is not None:
            check_finite(warmup_target, "warmup_target")

    def __call__(self, step):
        # Keras subtracts the Python float alpha in double, then rounds: (1 - alpha) is one float32.
        initial, decay_steps, alpha, one_minus_alpha, target, warmup_steps, half, one = self._float32(
            self.initial_learning_rate, self.decay_steps, self.alpha, 1 - self.alpha, self.warmup_target,
            self.warmup_steps, 0.5, 1)
        step = f32(step)
        if target is None:
            step = min(step, decay_steps)
            decay_from = initial
        else:
            step = min(step, decay_steps + warmup_steps)
            if step < warmup_steps:
                return (target - initial) * (step / warmup_steps) + initial
            step = step - warmup_steps
            decay_from = target
        cosine = half * (one + correctly_rounded(math.cos, _PI * (step / decay_steps)))
        return decay_from * (one_minus_alpha * cosine + alpha)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "alpha": self.alpha, "name": self.name, "warmup_target": self.warmup_target,
                "warmup_steps": self.warmup_steps}
