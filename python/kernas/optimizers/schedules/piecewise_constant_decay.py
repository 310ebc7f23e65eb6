"""PiecewiseConstantDecay: constant learning rates between step boundaries."""

import numpy as np

from kernas.optimizers.schedules.learning_rate_schedule import LearningRateSchedule, check_finite, f32


class PiecewiseConstantDecay(LearningRateSchedule):
    """A learning rate that is constant between step boundaries.

    ``values[0]`` while ``step <= boundaries[0]``, ``values[1]`` while
    ``boundaries[0] < step <= boundaries[1]``, ..., ``values[-1]`` once
    ``step > boundaries[-1]``. Boundaries compare as integers with an integer
    step (as Keras casts them to the step's dtype); the result is float32.

    Args:
        boundaries: a list of strictly increasing step numbers.
        values: a list of learning rates, one more than ``boundaries``.
        name: a string, ``"PiecewiseConstant"`` by default.

    Example:
        >>> schedule = PiecewiseConstantDecay(boundaries=[100000, 110000], values=[1.0, 0.5, 0.1])
        >>> optimizer = kernas.optimizers.SGD(learning_rate=schedule)
    """

    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        super().__init__()
        for argument, sequence in (("boundaries", boundaries), ("values", values)):
            if not isinstance(sequence, (list, tuple, np.ndarray)):
                raise TypeError(f"Expected `{argument}` to be a list of numbers. Received: {argument}={sequence!r}.")
            for index, value in enumerate(sequence):
                check_finite(value, f"{argument}[{index}]")
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                "The length of boundaries should be 1 less than the length of values. Received: "
                f"boundaries={boundaries} of length {len(boundaries)}, and values={values} of length {len(values)}."
            )
        if not boundaries:
            raise ValueError("Expected at least one boundary (for a constant learning rate pass a float). "
                             f"Received: boundaries={boundaries}.")
        self.boundaries = boundaries
        self.values = values
        self.name = name

    def __call__(self, step):
        if isinstance(step, (int, np.integer)):
            step = int(step)
            boundaries = [int(b) for b in self.boundaries]  # a cast to an integer dtype truncates
        else:
            step = f32(step)
            boundaries = [f32(b) for b in self.boundaries]
        zero, one, *values = self._float32(0, 1, *self.values)
        # Keras adds the masked values in this order (0 * inf would be NaN, as there); only one mask is 1.
        result = zero + (one if step <= boundaries[0] else zero) * values[0]
        result += (one if step > boundaries[-1] else zero) * values[-1]
        for low, high, value in zip(boundaries[:-1], boundaries[1:], values[1:-1]):
            result += (one if low < step <= high else zero) * value
        return result

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}
