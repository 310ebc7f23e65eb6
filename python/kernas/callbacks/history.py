"""Keras's ``History`` callback: what ``fit`` returns."""

from kernas.callbacks.callback import Callback


class History(Callback):
    """Records the logs of every epoch; ``fit`` adds it and returns it.

    Attributes:
        history: dict mapping each metric name (``"loss"``, ``"val_loss"``,
            ...) to the list of its values, one per epoch.
        epoch: the list of epoch indices recorded during the last ``fit``.

    Example:

    >>> history = model.fit(x, y, epochs=3, verbose=0)
    >>> history.history["loss"]
    [0.9, 0.5, 0.3]
    """

    def __init__(self):
        super().__init__()
        self.history = {}

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)
        # The model holds the latest state of its history as soon as an epoch ends.
        self.model.history = self
