"""Keras's ``CallbackList``: one object that calls every callback's hooks."""

from kernas.callbacks.callback import Callback
from kernas.callbacks.history import History
from kernas.callbacks.progbar_logger import ProgbarLogger

# Per-step hooks and the legacy alias each one falls back to in ``Callback``.
_BATCH_HOOKS = {
    "on_train_batch_begin": "on_batch_begin",
    "on_train_batch_end": "on_batch_end",
    "on_test_batch_begin": None,
    "on_test_batch_end": None,
    "on_predict_batch_begin": None,
    "on_predict_batch_end": None,
}


def _overrides(callback, hook):
    """Whether ``callback`` does something in ``hook`` (a subclass method or an instance attribute)."""
    return hook in vars(callback) or getattr(type(callback), hook) is not getattr(Callback, hook)


def _flatten(callbacks):
    flat = []
    for item in callbacks:
        if isinstance(item, (list, tuple)):
            flat.extend(_flatten(item))
        else:
            flat.append(item)
    return flat


def pythonify_logs(logs):
    """A new dict of ``logs`` with sorted keys, nested dicts flattened and numbers as Python floats, as Keras."""
    result = {}
    if logs:
        for key, value in sorted(logs.items()):
            if isinstance(value, dict):
                result.update(pythonify_logs(value))
                continue
            if type(value) is not float:
                try:
                    value = float(value)
                except (TypeError, ValueError):
                    pass
            result[key] = value
    return result


class CallbackList(Callback):
    """Calls a list of callbacks as one.

    Every hook converts ``logs`` once (sorted keys, Python floats) and passes
    the same dict to each callback in order, so a value one callback adds
    (``learning_rate`` from ``LearningRateScheduler``) is seen by the ones
    after it, ``History`` included. The per-step hooks only call the
    callbacks that override them.

    Args:
        callbacks: a list (possibly nested) of ``Callback`` instances.
        add_history: whether to append a ``History`` when there is none.
        add_progbar: whether to append a ``ProgbarLogger`` when there is none.
        model: the model the callbacks act on.
        **params: passed to every callback by ``set_params`` (``verbose``,
            ``epochs``, ``steps``).

    Example:

    >>> callbacks = CallbackList([EarlyStopping(monitor="loss")], add_history=True,
    ...                          model=model, verbose=0, epochs=10, steps=100)
    >>> callbacks.on_train_begin()
    """

    def __init__(self, callbacks=None, add_history=False, add_progbar=False, model=None, **params):
        super().__init__()
        self.callbacks = _flatten(callbacks) if callbacks else []
        for callback in self.callbacks:
            if not isinstance(callback, Callback):
                raise TypeError(
                    "Expected every callback to be an instance of `kernas.callbacks.Callback`. "
                    f"Received: callback={callback!r} of type {type(callback).__name__}. "
                    "Subclass `Callback` or wrap functions in `LambdaCallback`."
                )
        self._in_begin_end_block_count = 0
        self._add_default_callbacks(add_history, add_progbar)
        self.set_model(model)
        self.set_params(params)
        self._collect_batch_hooks()

    def _add_default_callbacks(self, add_history, add_progbar):
        self._progbar = None
        self._history = None
        for callback in self.callbacks:
            if isinstance(callback, ProgbarLogger):
                self._progbar = callback
            elif isinstance(callback, History):
                self._history = callback
        if self._history is None and add_history:
            self._history = History()
            self.callbacks.append(self._history)
        if self._progbar is None and add_progbar:
            self._progbar = ProgbarLogger()
            self.callbacks.append(self._progbar)

    def _collect_batch_hooks(self):
        """Binds, per step hook, the methods of the callbacks that override it."""
        self._batch_hooks = {
            hook: [
                getattr(callback, hook)
                for callback in self.callbacks
                if _overrides(callback, hook) or (alias is not None and _overrides(callback, alias))
            ]
            for hook, alias in _BATCH_HOOKS.items()
        }

    def set_params(self, params):
        self.params = params
        if params:
            for callback in self.callbacks:
                callback.set_params(params)

    def set_model(self, model):
        if model is None:
            return
        super().set_model(model)
        if self._history is not None:
            model.history = self._history
        for callback in self.callbacks:
            callback.set_model(model)

    def _on_begin(self):
        self._in_begin_end_block_count += 1
        # Callbacks may have been appended to ``self.callbacks`` since the last run.
        self._collect_batch_hooks()

    def _on_end(self):
        self._in_begin_end_block_count -= 1
        if self._in_begin_end_block_count < 0:
            raise ValueError(
                "Expected every `on_*_end` call to follow its `on_*_begin`. Received: an end hook "
                "called without a matching begin hook. Call `on_train_begin` / `on_test_begin` / "
                "`on_predict_begin` first."
            )

    def _call_batch_hook(self, hook, batch, logs):
        methods = self._batch_hooks[hook]
        if methods:
            logs = pythonify_logs(logs)
            for method in methods:
                method(batch, logs=logs)

    def _call_all(self, hook, *args, logs=None):
        logs = pythonify_logs(logs)
        for callback in self.callbacks:
            getattr(callback, hook)(*args, logs)

    def on_batch_begin(self, batch, logs=None):
        logs = pythonify_logs(logs)
        for callback in self.callbacks:
            callback.on_batch_begin(batch, logs=logs)

    def on_batch_end(self, batch, logs=None):
        logs = pythonify_logs(logs)
        for callback in self.callbacks:
            callback.on_batch_end(batch, logs=logs)

    def on_epoch_begin(self, epoch, logs=None):
        self._call_all("on_epoch_begin", epoch, logs=logs)

    def on_epoch_end(self, epoch, logs=None):
        self._call_all("on_epoch_end", epoch, logs=logs)

    def on_train_batch_begin(self, batch, logs=None):
        self._call_batch_hook("on_train_batch_begin", batch, logs)

    def on_train_batch_end(self, batch, logs=None):
        self._call_batch_hook("on_train_batch_end", batch, logs)

    def on_test_batch_begin(self, batch, logs=None):
        self._call_batch_hook("on_test_batch_begin", batch, logs)

    def on_test_batch_end(self, batch, logs=None):
        self._call_batch_hook("on_test_batch_end", batch, logs)

    def on_predict_batch_begin(self, batch, logs=None):
        self._call_batch_hook("on_predict_batch_begin", batch, logs)

    def on_predict_batch_end(self, batch, logs=None):
        self._call_batch_hook("on_predict_batch_end", batch, logs)

    def on_train_begin(self, logs=None):
        self._on_begin()
        self._call_all("on_train_begin", logs=logs)

    def on_train_end(self, logs=None):
        self._call_all("on_train_end", logs=logs)
        self._on_end()

    def on_test_begin(self, logs=None):
        self._on_begin()
        self._call_all("on_test_begin", logs=logs)

    def on_test_end(self, logs=None):
        self._call_all("on_test_end", logs=logs)
        self._on_end()

    def on_predict_begin(self, logs=None):
        self._on_begin()
        self._call_all("on_predict_begin", logs=logs)

    def on_predict_end(self, logs=None):
        self._call_all("on_predict_end", logs=logs)
        self._on_end()
