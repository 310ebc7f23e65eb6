"""Keras's ``LambdaCallback``: a callback made of functions."""

from kernas.callbacks.callback import Callback

_HOOKS = frozenset(
    name for name in vars(Callback) if name.startswith("on_")
)


class LambdaCallback(Callback):
    """A callback whose hooks are the functions given.

    The functions take the hooks' arguments: ``on_epoch_begin(epoch, logs)``,
    ``on_train_begin(logs)``, ``on_train_batch_end(batch, logs)`` (``logs``
    passed by keyword), and so on.

    Args:
        on_epoch_begin: called at the start of every epoch.
        on_epoch_end: called at the end of every epoch.
        on_train_begin: called when training starts.
        on_train_end: called when training ends.
        on_train_batch_begin: called before every training batch.
        on_train_batch_end: called after every training batch.
        **kwargs: any other hook of ``Callback`` by name, e.g.
            ``on_test_end=fn``.

    Example:

    >>> print_batch = LambdaCallback(on_train_batch_begin=lambda batch, logs: print(batch))
    """

    def __init__(
        self,
        on_epoch_begin=None,
        on_epoch_end=None,
        on_train_begin=None,
        on_train_end=None,
        on_train_batch_begin=None,
        on_train_batch_end=None,
        **kwargs,
    ):
        super().__init__()
        unknown = sorted(set(kwargs) - _HOOKS)
        if unknown:
            raise ValueError(
                f"Expected hook names of `Callback` ({', '.join(sorted(_HOOKS))}). Received: {unknown}. "
                "Check the spelling of the hook."
            )
        self.__dict__.update(kwargs)
        given = {
            "on_epoch_begin": on_epoch_begin,
            "on_epoch_end": on_epoch_end,
            "on_train_begin": on_train_begin,
            "on_train_end": on_train_end,
            "on_train_batch_begin": on_train_batch_begin,
            "on_train_batch_end": on_train_batch_end,
        }
        for name, function in given.items():
            if function is not None:
                setattr(self, name, function)
