"""Metric functions back from Keras's serialized form: kernas's own, or ones registered or in scope."""

import inspect

from kernas import losses
from kernas.backend.registration import get_registered_object
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


def deserialize_function(config):
    """The function a serialized function names: kernas's own, or one registered or given as custom_objects."""
    name = config.get("config") if isinstance(config, dict) else config
    registered = config.get("registered_name") if isinstance(config, dict) else None
    if name in FUNCTIONS:
        return FUNCTIONS[name]
    for key in (registered, name):
        found = get_registered_object(key) if isinstance(key, str) else None
        if callable(found) and not inspect.isclass(found):
            return found
    raise ValueError(
        f"Unknown metric function: {name!r}. Expected one of kernas's: {', '.join(sorted(FUNCTIONS))}, or a "
        f"function passed as custom_objects={{{name!r}: fn}} or registered with "
        "@kernas.saving.register_keras_serializable()."
    )
