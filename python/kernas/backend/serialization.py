"""Keras's serialized form of kernas objects, and the lookup of the classes named in it.

Shared by ``kernas.initializers``, ``kernas.regularizers``, ``kernas.losses``
and ``kernas.metrics``; ``package`` is the subpackage's name (``"initializers"``).
"""


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
            "registered_name": cls.__name__}


def lookup(by_name, base, kind, name):
    """The class ``by_name`` holds for ``name``; ``base`` (abstract) and unknown names raise ValueError."""
    cls = by_name.get(name)
    if cls is None or cls is base:
        valid = ", ".join(sorted(n for n, c in by_name.items() if c is not base))
        raise ValueError(f"Unknown {kind}: '{name}'. Expected one of: {valid}.")
    return cls


def deserialize_object(config, by_name, base, kind, package):
    """The object a Keras config dict of one of kernas's (Keras's built-in) classes describes."""
    article = "an" if kind[0] in "aeiou" else "a"
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(
            f"Expected {article} {kind} config dict with 'class_name' and 'config'. Received: config={config!r}."
        )
    module = config.get("module")
    if module not in (None, f"keras.{package}", f"keras.src.{package}"):
        raise ValueError(
            f"kernas can only load its own (Keras's built-in) {package}. Received: module={module!r}, "
            f"class_name={config['class_name']!r}. Pass the {kind} object instead of its config."
        )
    return lookup(by_name, base, kind, config["class_name"]).from_config(dict(config.get("config") or {}))
