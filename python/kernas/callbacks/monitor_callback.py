"""The shared base of callbacks that watch one metric: improvement and its direction."""

import operator
import warnings

from kernas.callbacks.callback import Callback


def _model_metrics(model):
    """The model's metric objects, with compile-time containers (objects holding ``.metrics``) opened."""
    found = []
    for metric in getattr(model, "metrics", None) or ():
        inner = getattr(metric, "metrics", None)
        if isinstance(inner, (list, tuple)):
            found.extend(inner)
        else:
            found.append(metric)
    return found


class MonitorCallback(Callback):
    """Base class of ``EarlyStopping``, ``ModelCheckpoint`` and ``ReduceLROnPlateau``.

    In mode ``"auto"`` the direction comes, as in Keras 3, from the name: a
    loss (``"loss"``, ``"val_loss"``) is minimised; any other metric goes the
    way of the model's metric of that name (its ``_direction``, ``"up"`` or
    ``"down"``); otherwise the callback raises ``ValueError`` asking for
    ``mode="min"`` or ``mode="max"``.

    Args:
        monitor: the quantity to watch, a key of the epoch logs.
        mode: ``"auto"``, ``"min"`` or ``"max"``.
        baseline: the initial best value, or ``None`` to take the first one seen.
        min_delta: the smallest change that counts as an improvement.
    """

    def __init__(self, monitor="val_loss", mode="auto", baseline=None, min_delta=0):
        super().__init__()
        if mode not in ("auto", "min", "max"):
            warnings.warn(f"{type(self).__name__} mode '{mode}' is unknown, fallback to auto mode.", stacklevel=2)
            mode = "auto"
        self.monitor = monitor
        self.mode = mode
        self.best = baseline
        self.min_delta = abs(min_delta)
        self.monitor_op = None

    def _set_monitor_op(self):
        if self.mode == "min":
            self.monitor_op = operator.lt
        elif self.mode == "max":
            self.monitor_op = operator.gt
        else:
            metric_name = self.monitor.removeprefix("val_")
            if metric_name == "loss":
                self.monitor_op = operator.lt
            for metric in _model_metrics(self.model):
                if getattr(metric, "name", None) == metric_name and hasattr(metric, "_direction"):
                    self.monitor_op = operator.gt if metric._direction == "up" else operator.lt
            if self.monitor_op is None:
                raise ValueError(
                    f"Expected a monitored quantity whose direction {type(self).__name__} can infer (a loss, or "
                    f"a metric of the model that declares it). Received: monitor={self.monitor}. Pass "
                    "`mode='max'` to monitor based on the highest metric value, or `mode='min'` to use the "
                    "lowest value."
                )
        if self.monitor_op is operator.lt:
            self.min_delta *= -1

    def _is_improvement(self, monitor_value, reference_value):
        if reference_value is None:
            return True
        return self.monitor_op(monitor_value - self.min_delta, reference_value)

    def _warn_unavailable(self, logs, subject, end=""):
        """Keras's warning that the monitored quantity is missing from ``logs`` (where the caller was called)."""
        warnings.warn(
            f"{subject} conditioned on metric `{self.monitor}` which is not available. "
            f"Available metrics are: {','.join(list(logs.keys()))}{end}",
            stacklevel=3,
        )
