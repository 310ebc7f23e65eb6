"""Keras's ``ModelCheckpoint`` callback."""

import os
import warnings

import numpy as np

from kernas.callbacks.monitor_callback import MonitorCallback
from kernas.utils.progbar import print_msg


class ModelCheckpoint(MonitorCallback):
    """Saves the model, or its weights, during training.

    Args:
        filepath: where to save; it may hold format fields filled from
            ``epoch`` (counted from 1), ``batch`` (with an integer
            ``save_freq``) and the logs, e.g. ``"ckpt-{epoch:02d}-{val_loss:.2f}.keras"``.
            It must end in ``.keras`` (``model.save``), or in ``.weights.h5``
            with ``save_weights_only=True`` (``model.save_weights``).
        monitor: the quantity that decides what is best (a key of the logs).
        verbose: 0 (silent) or 1 (print a message at each save).
        save_best_only: only save when the monitored quantity improves.
        save_weights_only: save the weights only.
        mode: ``"auto"``, ``"min"`` or ``"max"``: whether lower or higher is better.
        save_freq: ``"epoch"`` to save after every epoch, or an integer: save
            after that many training batches.
        initial_value_threshold: the value to beat before the first save when
            ``save_best_only=True``.

    Example:

    >>> checkpoint = ModelCheckpoint("best.keras", monitor="val_accuracy", mode="max", save_best_only=True)
    >>> model.fit(x, y, validation_split=0.1, epochs=10, callbacks=[checkpoint])
    """

    def __init__(
        self,
        filepath,
        monitor="val_loss",
        verbose=0,
        save_best_only=False,
        save_weights_only=False,
        mode="auto",
        save_freq="epoch",
        initial_value_threshold=None,
    ):
        super().__init__(monitor, mode, initial_value_threshold)
        self.verbose = verbose
        self.filepath = os.fspath(filepath)
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.save_freq = save_freq
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen = None
        self._current_epoch = 0
        if save_freq != "epoch" and (isinstance(save_freq, bool) or not isinstance(save_freq, int)):
            raise ValueError(
                f"Expected save_freq to be 'epoch' or an integer number of batches. Received: save_freq={save_freq!r}."
            )
        if save_weights_only:
            if not self.filepath.endswith(".weights.h5"):
                raise ValueError(
                    "When using `save_weights_only=True` in `ModelCheckpoint`, the filepath provided must end "
                    f"in `.weights.h5` (Keras weights format). Received: filepath={self.filepath}"
                )
        elif not self.filepath.endswith(".keras"):
            raise ValueError(
                "The filepath provided must end in `.keras` (Keras model format). Received: "
                f"filepath={self.filepath}"
            )

    def on_train_batch_end(self, batch, logs=None):
        if self._should_save_on_batch(batch):
            self._save_model(epoch=self._current_epoch, batch=batch, logs=logs)

    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self._set_monitor_op()
        if self.save_freq == "epoch":
            self._save_model(epoch=epoch, batch=None, logs=logs)

    def _should_save_on_batch(self, batch):
        if self.save_freq == "epoch":
            return False
        if self._last_batch_seen is None or batch <= self._last_batch_seen:
            # A new epoch started: batch indices count from 0 again.
            added = batch + 1
        else:
            added = batch - self._last_batch_seen
        self._batches_seen_since_last_saving += added
        self._last_batch_seen = batch
        if self._batches_seen_since_last_saving >= self.save_freq:
            self._batches_seen_since_last_saving = 0
            return True
        return False

    def _should_save_model(self, epoch, logs, filepath):
        logs = logs or {}
        if not self.save_best_only:
            if self.verbose > 0:
                print_msg(f"\nEpoch {epoch + 1}: saving model to {filepath}")
            return True
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(f"Can save best model only with {self.monitor} available.", stacklevel=2)
            return True
        if isinstance(current, np.ndarray) and current.ndim > 0:
            warnings.warn(
                f"Can save best model only when `monitor` is a scalar value. Received: {current}. "
                "Falling back to `save_best_only=False`."
            )
            return True
        if self.monitor_op is None:
            # A batch-frequency save can come before the first epoch end.
            self._set_monitor_op()
        best_str = "None" if self.best is None else f"{self.best:.5f}"
        if self._is_improvement(current, self.best):
            if self.verbose > 0:
                print_msg(
                    f"\nEpoch {epoch + 1}: {self.monitor} improved from {best_str} to {current:.5f}, "
                    f"saving model to {filepath}"
                )
            self.best = current
            return True
        if self.verbose > 0:
            print_msg(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {best_str}")
        return False

    def _save_model(self, epoch, batch, logs):
        filepath = self._get_file_path(epoch, batch, logs)
        if self._should_save_model(epoch, logs, filepath):
            if os.path.isdir(filepath):
                raise IOError(
                    "Please specify a non-directory filepath for ModelCheckpoint. Filepath used is an existing "
                    f"directory: {filepath}"
                )
            dirname = os.path.dirname(filepath)
            if dirname and not os.path.exists(dirname):
                os.makedirs(dirname)
            if self.save_weights_only:
                self.model.save_weights(filepath)
            else:
                self.model.save(filepath)
            if self.verbose > 0:
                print_msg(f"\nEpoch {epoch + 1}: finished saving model to {filepath}")

    def _get_file_path(self, epoch, batch, logs):
        logs = logs or {}
        try:
            if batch is None or "batch" in logs:
                return self.filepath.format(epoch=epoch + 1, **logs)
            return self.filepath.format(epoch=epoch + 1, batch=batch + 1, **logs)
        except KeyError as e:
            raise KeyError(f'Failed to format this callback filepath: "{self.filepath}". Reason: {e}') from None
