"""The base of the crossentropy metrics: a loss function averaged, its options checked once."""

from kernas.losses import options
from kernas.metrics.mean_metric_wrapper import MeanMetricWrapper

# The check of each option; each returns the value the loss function takes.
_CHECKS = {
    "from_logits": options.check_from_logits,
    "label_smoothing": options.check_label_smoothing,
    "ignore_class": options.check_ignore_class,
    "axis": options.check_axis,
}


class CrossentropyMetric(MeanMetricWrapper):
    """Averages a crossentropy function; its options become attributes and config entries, in the order given.

    Args:
        fn: the per-sample crossentropy function.
        name: the metric's name.
        dtype: ``None`` or ``"float32"``.
        **arguments: the function's options (``from_logits``, ``label_smoothing``,
            ``ignore_class``, ``axis``), checked here.
    """

    _direction = "down"  # which way is better, for mode="auto" callbacks

    def __init__(self, fn, name, dtype, **arguments):
        checked = {key: _CHECKS[key](value) for key, value in arguments.items()}
        super().__init__(fn, name=name, dtype=dtype, **checked)
        for key, value in arguments.items():
            setattr(self, key, value)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, **{key: getattr(self, key) for key in self._fn_kwargs}}

    @classmethod
    def from_config(cls, config):
        return cls(**config)
