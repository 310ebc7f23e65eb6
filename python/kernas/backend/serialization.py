"""Keras's serialized form of kernas objects and functions, and the lookup of the classes named in it.

Shared by the layers, initializers, regularizers, losses, metrics, optimizers
and schedules; ``package`` is the subpackage's name (``"initializers"``).
"""

from kernas.backend.registration import custom_class, get_registered_name, is_user_module, unknown_user_class


def keras_dict(obj, package):
    """Keras's form of a built-in: ``{"module": "keras.<package>", "class_name", "config", ...}``."""
    return {
        "module": f"keras.{package}",
        "class_name": type(obj).__name__,
        "config": obj.get_config(),
        "registered_name": None,
    }


def serialize_object(obj, package):
    """``keras_dict`` for kernas's own classes; a class defined elsewhere keeps its module and is registered by name."""
    cls = type(obj)
    if cls.__module__.startswith(f"kernas.{package}"):
        return keras_dict(obj, package)
    return {"module": cls.__module__, "class_name": cls.__name__, "config": obj.get_config(),
            "registered_name": get_registered_name(cls)}


def serialize_function(fn):
    """Keras's form of a function given to ``compile``: ``{"module": "builtins", "class_name": "function", ...}``.

    ``config`` is the function's name; ``registered_name`` its registered key
    when it was registered under another one (Keras's ``"function"`` otherwise).
    """
    name = fn.__name__
    registered = get_registered_name(fn)
    return {"module": "builtins", "class_name": "function", "config": name,
            "registered_name": registered if registered != name else "function"}


def lookup(by_name, base, kind, name):
    """The class ``by_name`` holds for ``name``; ``base`` (abstract) and unknown names raise ValueError."""
    cls = by_name.get(name)
    if cls is None or cls is base:
        valid = ", ".join(sorted(n for n, c in by_name.items() if c is not base))
        raise ValueError(f"Unknown {kind}: '{name}'. Expected one of: {valid}.")
    return cls


def deserialize_object(config, by_name, base, kind):
    """The object a Keras config dict describes: a user class registered or in scope, else kernas's own."""
    article = "an" if kind[0] in "aeiou" else "a"
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(
            f"Expected {article} {kind} config dict with 'class_name' and 'config'. Received: config={config!r}."
        )
    cls = config_class(config, base, kind, lambda name: lookup(by_name, base, kind, name))
    return cls.from_config(dict(config.get("config") or {}))


def config_class(config, base, kind, builtin):
    """The class a config dict names: a user class registered or in scope, else ``builtin(class_name)``.

    A config whose module lies outside Keras names a user class, so it is
    refused unless the user registered or passed that class.
    """
    cls = custom_class(config, base, kind)
    if cls is not None:
        return cls
    if is_user_module(config):
        raise unknown_user_class(config, kind)
    return builtin(config["class_name"])
