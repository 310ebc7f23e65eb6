"""The base class of every callback: Keras 3's hooks into fit, evaluate and predict."""


class Callback:
    """Base class of callbacks.

    A callback hooks into the stages of ``fit``, ``evaluate`` and ``predict``;
    subclasses override the hooks they need. The model sets ``params`` (a dict
    such as ``{"verbose": 1, "epochs": 10, "steps": 100}``) and ``model``
    before training starts. Every hook receives ``logs``, a dict of Python
    floats: during ``fit`` the metrics of the current batch or epoch (keys of
    validation results start with ``val_``).

    Hooks the training loop calls on every step cost nothing for a callback
    that does not override them: ``CallbackList`` skips it.

    Example:

    >>> class StopAtLoss(Callback):
    ...     def on_epoch_end(self, epoch, logs=None):
    ...         if logs["loss"] < 0.1:
    ...             self.model.stop_training = True
    """

    def __init__(self):
        self.params = None
        self._model = None

    def set_params(self, params):
        self.params = params

    def set_model(self, model):
        self._model = model

    @property
    def model(self):
        """The model this callback is attached to."""
        return self._model

    def on_batch_begin(self, batch, logs=None):
        """A backwards compatible alias of ``on_train_batch_begin``."""

    def on_batch_end(self, batch, logs=None):
        """A backwards compatible alias of ``on_train_batch_end``."""

    def on_epoch_begin(self, epoch, logs=None):
        """Called at the start of an epoch of ``fit`` (``epoch`` counts from 0)."""

    def on_epoch_end(self, epoch, logs=None):
        """Called at the end of an epoch of ``fit`` with the epoch's metrics, ``val_`` ones included."""

    def on_train_batch_begin(self, batch, logs=None):
        """Called before each training batch (``batch`` counts from 0 within the epoch)."""
        self.on_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch, logs=None):
        """Called after each training batch with the metrics aggregated so far this epoch."""
        self.on_batch_end(batch, logs=logs)

    def on_test_batch_begin(self, batch, logs=None):
        """Called before each batch of ``evaluate`` and of the validation in ``fit``."""

    def on_test_batch_end(self, batch, logs=None):
        """Called after each batch of ``evaluate`` and of the validation in ``fit``."""

    def on_predict_batch_begin(self, batch, logs=None):
        """Called before each batch of ``predict``."""

    def on_predict_batch_end(self, batch, logs=None):
        """Called after each batch of ``predict``."""

    def on_train_begin(self, logs=None):
        """Called when ``fit`` starts."""

    def on_train_end(self, logs=None):
        """Called when ``fit`` ends, with the logs of the last epoch."""

    def on_test_begin(self, logs=None):
        """Called when ``evaluate`` or a validation pass starts."""

    def on_test_end(self, logs=None):
        """Called when ``evaluate`` or a validation pass ends, with its metrics."""

    def on_predict_begin(self, logs=None):
        """Called when ``predict`` starts."""

    def on_predict_end(self, logs=None):
        """Called when ``predict`` ends."""
