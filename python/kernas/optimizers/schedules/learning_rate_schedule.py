"""The base class of learning rate schedules, and the float32 scalar arithmetic they share."""

import abc
import math

import numpy as np

_F32 = np.float32
_F32_MAX = float(np.finfo(np.float32).max)
_NUMPY_TWINS = {math.pow: np.power, math.cos: np.cos, math.log: np.log}


def f32(value):
    """``value`` as a float32 scalar: what Keras's ``ops.cast(value, "float32")`` gives."""
    return _F32(value)


def correctly_rounded(function, *args):
    """``function`` (``math.pow``, ``math.cos`` or ``math.log``) of float32 scalars, as float32.

    Computed in double and rounded once, which is the correctly rounded float32
    result in all but astronomically rare cases: the value an exact float32
    ``pow``/``cos``/``log`` gives (backends' float32 versions may differ from
    it by an ulp). Domain errors and overflow give NaN/inf as float32 maths
    does, instead of Python's exceptions.
    """
    try:
        return _F32(function(*[float(a) for a in args]))
    except (ValueError, OverflowError, ZeroDivisionError):
        with np.errstate(all="ignore"):
            return _F32(_NUMPY_TWINS[function](*[np.float64(a) for a in args]))


def check_finite(value, name):
    """Checks that a schedule's numeric argument is a number finite in float32 (once, at construction).

    The schedule evaluates in float32 at every step: a string fails there, far
    from its cause, and a NaN or an overflowing value gives the optimizer a
    NaN learning rate.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"Expected `{name}` to be a number. Received: {name}={value!r} of type {type(value).__name__}.")
    if not (math.isfinite(value) and abs(value) <= _F32_MAX):
        raise ValueError(f"Expected `{name}` to be finite in float32. Received: {name}={value!r}.")
    return value


def check_decay_steps(value, name="decay_steps"):
    check_finite(value, name)
    if value <= 0:
        raise ValueError(f"Argument `{name}` must be > 0. Received: {name}={value}")


class LearningRateSchedule(abc.ABC):
    """The learning rate schedule base class (``keras.optimizers.schedules.LearningRateSchedule``).

    A schedule is passed as an optimizer's ``learning_rate``; the optimizer
    calls it with its ``iterations`` before every update. Subclasses implement
    ``__call__(step)`` (returning a float32 scalar) and ``get_config()``.

    Example:
        >>> class MyLRSchedule(LearningRateSchedule):
        ...     def __init__(self, initial_learning_rate):
        ...         self.initial_learning_rate = initial_learning_rate
        ...     def __call__(self, step):
        ...         return np.float32(self.initial_learning_rate) / np.float32(step + 1)
        ...     def get_config(self):
        ...         return {"initial_learning_rate": self.initial_learning_rate}
        >>> optimizer = kernas.optimizers.SGD(learning_rate=MyLRSchedule(0.1))
    """

    _float32_key = None
    _float32_values = ()

    def _float32(self, *values):
        """``values`` (numbers or None) as float32 scalars, cached until one of them changes.

        Converting a Python number to a NumPy scalar is the slowest part of a
        schedule's evaluation, which runs every training step.
        """
        if values != self._float32_key:
            self._float32_values = tuple(None if v is None else _F32(v) for v in values)
            self._float32_key = values
        return self._float32_values

    @abc.abstractmethod
    def __call__(self, step):
        """The learning rate (a float32 scalar) at optimizer step ``step``."""

    def get_config(self):
        """The constructor arguments. Not abstract, as in Keras: a schedule without it trains but cannot be saved."""
        raise NotImplementedError(f"Learning rate schedule '{self.__class__.__name__}' must override "
                                  "`get_config()` in order to be serializable.")

    @classmethod
    def from_config(cls, config):
        """Instantiates a schedule from the output of ``get_config()``."""
        return cls(**config)


class RateDecay(LearningRateSchedule):
    """The base of ExponentialDecay and InverseTimeDecay: their four arguments, a name and their config.

    Args:
        initial_learning_rate: a float, the learning rate at step 0.
        decay_steps: a positive number of steps.
        decay_rate: a float.
        staircase: whether to decay at discrete intervals.
        name: a string.
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase, name):
        super().__init__()
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name
        check_decay_steps(decay_steps)
        check_finite(initial_learning_rate, "initial_learning_rate")
        check_finite(decay_rate, "decay_rate")

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "decay_rate": self.decay_rate, "staircase": self.staircase, "name": self.name}
