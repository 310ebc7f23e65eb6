"""What ``compile`` resolves: the loss, the optimizer, and the metrics with their running state."""

import numbers


def _as_list(value, name):
    if value is None:
        return []
    if isinstance(value, dict):
        raise ValueError(
            f"kernas models have a single output, so `{name}` must be a list. Received: {name}={value!r}. "
            f"Pass the list itself, e.g. {name}={list(value.values())[0]!r}."
        )
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
        return [value]
    return list(value)


class LossTracker:
    """The running mean of the loss over an epoch, weighted by batch size as Keras weights it."""

    name = "loss"

    def __init__(self):
        self.reset_state()

    def reset_state(self):
        self.total = 0.0
        self.count = 0

    def update_state(self, value, batch_size):
        self.total += float(value) * batch_size
        self.count += batch_size

    def result(self):
        return self.total / self.count if self.count else 0.0


class CompiledState:
    """The resolved arguments of ``compile`` and the metric objects they produce.

    Metrics are resolved on the first batch, as Keras does, because
    ``"accuracy"`` means binary, categorical or sparse categorical accuracy
    depending on the shapes of the labels and the predictions.
    """

    def __init__(self, optimizer, loss, loss_weights, metrics, weighted_metrics, steps_per_execution):
        from kernas import losses, optimizers

        self.optimizer = optimizers.get(optimizer)
        if loss is None:
            raise ValueError(
                "Expected a `loss` in compile(). Received: loss=None. "
                "Pass a loss name such as loss='categorical_crossentropy' or a kernas.losses object."
            )
        self.loss = losses.get(loss)
        if loss_weights is not None and not (
            isinstance(loss_weights, numbers.Real) and not isinstance(loss_weights, bool) and loss_weights == 1
        ):
            raise ValueError(
                "kernas models have a single output, so `loss_weights` has nothing to weigh. "
                f"Received: loss_weights={loss_weights!r}. Remove the argument (or scale the loss itself)."
            )
        if isinstance(steps_per_execution, bool) or steps_per_execution != 1:
            raise ValueError(
                "kernas runs one training step per call, so `steps_per_execution` must be 1. "
                f"Received: steps_per_execution={steps_per_execution!r}."
            )
        self.metric_identifiers = _as_list(metrics, "metrics")
        self.weighted_identifiers = _as_list(weighted_metrics, "weighted_metrics")
        self.loss_tracker = LossTracker()
        self.metrics = None
        self.weighted = None
        self.config = {
            "optimizer": optimizer,
            "loss": loss,
            "loss_weights": loss_weights,
            "metrics": metrics,
            "weighted_metrics": weighted_metrics,
        }

    def require_optimizer(self, method):
        """The optimizer, or a ValueError: Keras compiles with ``optimizer=None`` for evaluation only."""
        if self.optimizer is None:
            raise ValueError(
                f"Expected an optimizer for `{method}()`. Received: the model was compiled with optimizer=None, "
                "which serves evaluate() and predict() only. Compile it with one, e.g. "
                "model.compile(optimizer='adam', loss=...)."
            )
        return self.optimizer

    def _resolve(self, y_true, y_pred):
        from kernas import metrics

        self.metrics = [metrics.resolve(m, y_true, y_pred, self.loss) for m in self.metric_identifiers]
        self.weighted = [metrics.resolve(m, y_true, y_pred, self.loss) for m in self.weighted_identifiers]
        names = {m.name for m in self.metrics}
        for metric in self.weighted:
            if metric.name in names:
                metric.name = "weighted_" + metric.name

    def update(self, loss_value, y_true, y_pred, sample_weight):
        """Folds one batch into the loss tracker and the metrics."""
        if self.metrics is None:
            self._resolve(y_true, y_pred)
        self.loss_tracker.update_state(loss_value, len(y_pred))
        for metric in self.metrics:
            metric.update_state(y_true, y_pred)
        for metric in self.weighted:
            metric.update_state(y_true, y_pred, sample_weight)

    def reset(self):
        self.loss_tracker.reset_state()
        for metric in (self.metrics or []) + (self.weighted or []):
            metric.reset_state()

    def logs(self):
        """Keras's logs: loss and metric results, keys in sorted order."""
        logs = {"loss": self.loss_tracker.result()}
        for metric in (self.metrics or []) + (self.weighted or []):
            logs[metric.name] = float(metric.result())
        return dict(sorted(logs.items()))

    def ordered_results(self):
        """``[loss, metric results in compile order]``, what ``evaluate`` returns as a list."""
        results = [self.loss_tracker.result()]
        results += [float(m.result()) for m in (self.metrics or []) + (self.weighted or [])]
        return results
