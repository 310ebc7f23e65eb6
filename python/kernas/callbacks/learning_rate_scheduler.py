"""Keras's ``LearningRateScheduler`` callback."""

import numpy as np

from kernas.callbacks.callback import Callback
from kernas.utils.progbar import print_msg


class LearningRateScheduler(Callback):
    """Sets the learning rate at the start of every epoch from a schedule.

    Args:
        schedule: a function ``schedule(epoch, lr) -> new_lr`` (``epoch``
            counts from 0, ``lr`` is the current learning rate as a float); a
            function of ``epoch`` alone is accepted too, as in Keras.
        verbose: 0 (quiet) or 1 (print the new learning rate every epoch).

    Every epoch's logs get a ``learning_rate`` entry.

    Example:

    >>> def schedule(epoch, lr):
    ...     return lr if epoch < 10 else lr * 0.9
    >>> model.fit(x, y, epochs=15, callbacks=[LearningRateScheduler(schedule)])
    """

    def __init__(self, schedule, verbose=0):
        super().__init__()
        if not callable(schedule):
            raise TypeError(
                f"Expected `schedule` to be a function `schedule(epoch, lr) -> float`. Received: schedule={schedule!r}."
            )
        self.schedule = schedule
        self.verbose = verbose

    def _update_optimizer_lr(self, optimizer, epoch):
        if not hasattr(optimizer, "learning_rate"):
            raise ValueError(
                f'Expected an optimizer with a "learning_rate" attribute. Received: optimizer={optimizer!r}.'
            )
        try:
            learning_rate = self.schedule(epoch, float(optimizer.learning_rate))
        except TypeError:
            # Keras 2's schedules take the epoch only.
            learning_rate = self.schedule(epoch)
        if not isinstance(learning_rate, (float, np.float32, np.float64)):
            raise ValueError(
                "Expected the output of the `schedule` function to be a float. "
                f"Received: {learning_rate!r} for epoch={epoch}. Return a Python float, e.g. `float(lr)`."
            )
        optimizer.learning_rate = learning_rate
        return learning_rate

    def on_epoch_begin(self, epoch, logs=None):
        learning_rate = self._update_optimizer_lr(self.model.optimizer, epoch)
        if self.verbose > 0:
            print_msg(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {learning_rate}.")

    def on_epoch_end(self, epoch, logs=None):
        if not logs:
            # Keras adds the entry to a fresh dict here, which nobody sees.
            return
        logs["learning_rate"] = float(self.model.optimizer.learning_rate)
