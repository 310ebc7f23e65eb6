"""Keras's ``EarlyStopping`` callback."""

from kernas.callbacks.monitor_callback import MonitorCallback
from kernas.utils.progbar import print_msg


class EarlyStopping(MonitorCallback):
    """Stops training when a monitored metric has stopped improving.

    At the end of every epoch the monitored value is compared with the best
    so far; after ``patience`` epochs without an improvement of at least
    ``min_delta``, ``model.stop_training`` is set and ``fit`` ends.

    Args:
        monitor: the quantity to watch (a key of the epoch logs). Defaults to
            ``"val_loss"``.
        min_delta: the smallest change that counts as an improvement.
        patience: epochs without improvement after which training stops.
        verbose: 0 (silent) or 1 (print a message when stopping or restoring).
        mode: ``"auto"``, ``"min"`` or ``"max"``: whether the quantity should go
            down or up (``"auto"``: losses go down, other metrics the way the
            model's metric of that name goes).
        baseline: a value to beat; training stops if no epoch improves on it
            within ``patience`` epochs.
        restore_best_weights: whether to put back the weights of the best epoch
            when training ends.
        start_from_epoch: epochs of warm-up before monitoring starts.

    Example:

    >>> callback = EarlyStopping(monitor="loss", patience=3)
    >>> history = model.fit(x, y, epochs=100, callbacks=[callback], verbose=0)
    """

    def __init__(
        self,
        monitor="val_loss",
        min_delta=0,
        patience=0,
        verbose=0,
        mode="auto",
        baseline=None,
        restore_best_weights=False,
        start_from_epoch=0,
    ):
        super().__init__(monitor, mode, min_delta=min_delta)
        self.patience = patience
        self.verbose = verbose
        self.baseline = baseline
        self.wait = 0
        self.stopped_epoch = 0
        self.restore_best_weights = restore_best_weights
        self.best_weights = None
        self.start_from_epoch = start_from_epoch

    def on_train_begin(self, logs=None):
        # One instance may serve several calls of fit.
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_weights = None
        self.best_epoch = 0

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            # The model's metrics exist once the first epoch has run.
            self._set_monitor_op()
        current = self.get_monitor_value(logs)
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self.model.get_weights()
            self.best_epoch = epoch
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            # Patience restarts only when both the baseline and the best are beaten.
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print_msg(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print_msg(f"Restoring model weights from the end of the best epoch: {self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)

    def get_monitor_value(self, logs):
        logs = logs or {}
        value = logs.get(self.monitor)
        if value is None:
            self._warn_unavailable(logs, "Early stopping")
        return value
