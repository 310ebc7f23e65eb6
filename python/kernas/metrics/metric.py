"""The ``Metric`` base class (Keras's ``keras.metrics.Metric``) on NumPy state."""

import abc

import numpy as np

from kernas.backend.dtypes import check_float32
from kernas.backend.naming import snake_case, unique_name
from kernas.backend.variable import Variable


class Metric(abc.ABC):
    """A metric: state accumulated batch by batch, summarised by ``result``.

    Subclasses implement ``update_state``, ``result`` and ``reset_state`` and
    list their state in ``_state_names`` (attribute names, Keras's variable
    names) so that ``variables`` can show it.

    Args:
        dtype: ``None`` or ``"float32"``.
        name: the metric's name (defaults to the snake-cased class name, made unique).
    """

    _state_names = ()

    def __init__(self, dtype=None, name=None):
        self.name = name or unique_name(snake_case(type(self).__name__))
        self._dtype = check_float32(dtype, type(self).__name__)

    @property
    def dtype(self):
        return self._dtype

    @property
    def variables(self):
        """Copies of the state as Variables, with Keras's names and paths (``"<metric>/<name>"``)."""
        return [
            Variable(np.asarray(getattr(self, "_" + name)), name, trainable=False, path=f"{self.name}/{name}")
            for name in self._state_names
        ]

    @abc.abstractmethod
    def update_state(self, y_true, y_pred, sample_weight=None):
        """Folds one batch into the state."""

    @abc.abstractmethod
    def result(self):
        """The metric's value for the state so far."""

    @abc.abstractmethod
    def reset_state(self):
        """Clears the state."""

    def __call__(self, *args, **kwargs):
        """Updates the state and returns the new result, as Keras does."""
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"
