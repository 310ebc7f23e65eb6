"""Keras's ``MeanMetricWrapper``: the mean of a per-sample function's values."""

from kernas.backend.serialization import serialize_function
from kernas.metrics.mean_metric import Mean
from kernas.metrics.serialization import deserialize_function


class MeanMetricWrapper(Mean):
    """Averages ``fn(y_true, y_pred, **kwargs)`` over all samples seen.

    ``fn`` returns one value per sample (any array-like; a boolean array
    counts matches). Metrics need no gradient, so any NumPy function works.

    Args:
        fn: the per-sample function.
        name: the metric's name (default ``"mean_metric_wrapper"``, made unique).
        dtype: ``None`` or ``"float32"``.
        **kwargs: passed to ``fn`` on every call.

    Example:
        >>> m = kernas.metrics.MeanMetricWrapper(kernas.losses.mean_squared_error, name="mse")
        >>> m.update_state([[0.0, 1.0]], [[1.0, 1.0]])
        >>> m.result()
        0.5
    """

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__(name=name, dtype=dtype)
        if not callable(fn):
            raise TypeError(f"Expected `fn` to be a callable (y_true, y_pred) -> values. Received: fn={fn!r}.")
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true, y_pred, sample_weight=None):
        self._accumulate(self._fn(y_true, y_pred, **self._fn_kwargs), sample_weight)

    def get_config(self):
        return {**super().get_config(), "fn": serialize_function(self._fn), **self._fn_kwargs}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if "fn" in config:
            config["fn"] = deserialize_function(config["fn"])
        return cls(**config)
