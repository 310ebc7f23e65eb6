"""Keras's ``TerminateOnNaN`` callback."""

import math

from kernas.callbacks.callback import Callback
from kernas.utils.progbar import print_msg


class TerminateOnNaN(Callback):
    """Stops training when a batch's loss is NaN or infinite.

    Args:
        raise_error: ``False`` (default) sets ``model.stop_training`` so that
            training ends normally (every callback's ``on_train_end`` runs);
            ``True`` raises ``RuntimeError`` at once.

    Example:

    >>> model.fit(x, y, callbacks=[TerminateOnNaN()])
    """

    def __init__(self, raise_error=False):
        super().__init__()
        self.raise_error = raise_error

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(loss):
            if self.raise_error:
                raise RuntimeError(
                    f"NaN or Inf loss encountered at batch {batch}. Loss value: {loss}. "
                    "Terminating training immediately."
                )
            print_msg(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True
