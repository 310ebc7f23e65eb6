"""Keras's ``ReduceLROnPlateau`` callback."""

import numpy as np

from kernas.callbacks.monitor_callback import MonitorCallback
from kernas.utils.progbar import print_msg


class ReduceLROnPlateau(MonitorCallback):
    """Reduces the learning rate when a metric has stopped improving.

    After ``patience`` epochs without an improvement of at least
    ``min_delta``, the optimizer's learning rate becomes
    ``max(lr * factor, min_lr)``; then ``cooldown`` epochs pass before
    waiting starts again. Every epoch's logs get a ``learning_rate`` entry.

    Args:
        monitor: the quantity to watch (a key of the epoch logs).
        factor: the factor applied to the learning rate, below 1.
        patience: epochs without improvement before a reduction.
        verbose: 0 (quiet) or 1 (print a message at each reduction).
        mode: ``"auto"``, ``"min"`` or ``"max"``.
        min_delta: the smallest change that counts as an improvement.
        cooldown: epochs to wait after a reduction before counting again.
        min_lr: the lower bound of the learning rate.

    Example:

    >>> reduce_lr = ReduceLROnPlateau(monitor="val_loss", factor=0.2, patience=5, min_lr=0.001)
    >>> model.fit(x, y, validation_split=0.1, callbacks=[reduce_lr])
    """

    def __init__(
        self,
        monitor="val_loss",
        factor=0.1,
        patience=10,
        verbose=0,
        mode="auto",
        min_delta=1e-4,
        cooldown=0,
        min_lr=0.0,
        **kwargs,
    ):
        if kwargs:
            raise ValueError(
                f"Expected only ReduceLROnPlateau's own arguments. Received: {sorted(kwargs)}. "
                "Remove them (the keyword arguments of older Keras versions have no effect)."
            )
        super().__init__(monitor, mode, min_delta=min_delta)
        if factor >= 1.0:
            raise ValueError(
                f"Expected factor < 1.0 (ReduceLROnPlateau reduces the learning rate). Received: factor={factor}."
            )
        self.factor = factor
        self.min_lr = min_lr
        self.patience = patience
        self.verbose = verbose
        self.cooldown = cooldown
        self.cooldown_counter = 0
        self.wait = 0

    def _reset(self):
        self.best = None
        self.cooldown_counter = 0
        self.wait = 0

    def _reduce_optimizer_lr(self, optimizer, epoch):
        old_lr = float(optimizer.learning_rate)
        # The learning rate lives in float32, so min_lr is compared in float32 too.
        if old_lr > np.float32(self.min_lr):
            new_lr = max(old_lr * self.factor, self.min_lr)
            optimizer.learning_rate = new_lr
            if self.verbose > 0:
                print_msg(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {new_lr}.")
            return True
        return False

    def on_train_begin(self, logs=None):
        self._reset()

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self._set_monitor_op()
        logs = logs or {}
        optimizer = self.model.optimizer
        logs["learning_rate"] = float(optimizer.learning_rate)
        current = logs.get(self.monitor)
        if current is None:
            self._warn_unavailable(logs, "Learning rate reduction is", end=".")
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self._is_improvement(current, self.best):
            self.best = current
            self.wait = 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience:
                if self._reduce_optimizer_lr(optimizer, epoch):
                    self.cooldown_counter = self.cooldown
                    self.wait = 0

    def in_cooldown(self):
        return self.cooldown_counter > 0
