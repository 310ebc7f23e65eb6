"""Keras's serialized form of a metric function, for the functions kernas knows."""

from kernas import losses
from kernas.metrics import functions

FUNCTIONS = {
    fn.__name__: fn
    for fn in (
        functions.binary_accuracy,
        functions.categorical_accuracy,
        functions.sparse_categorical_accuracy,
        functions.top_k_categorical_accuracy,
        functions.sparse_top_k_categorical_accuracy,
        losses.mean_squared_error,
        losses.mean_absolute_error,
        losses.huber,
        losses.binary_crossentropy,
        losses.categorical_crossentropy,
        losses.sparse_categorical_crossentropy,
    )
}


def serialize_function(fn):
    """Keras's ``{"module": "builtins", "class_name": "function", "config": name, ...}``.

    Only kernas's own functions can be loaded back (by name).
    """
    name = getattr(fn, "__name__", repr(fn))
    return {"module": "builtins", "class_name": "function", "config": name, "registered_name": "function"}


def deserialize_function(config):
    """The kernas function a serialized function names."""
    name = config.get("config") if isinstance(config, dict) else config
    if name not in FUNCTIONS:
        raise ValueError(
            f"Unknown metric function: {name!r}. Expected one of kernas's: {', '.join(sorted(FUNCTIONS))}. "
            "A custom function cannot be loaded from a config; pass it again."
        )
    return FUNCTIONS[name]
