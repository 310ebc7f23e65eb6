"""Which user classes a saved config may name: the only way code outside kernas enters a load.

A config names classes by string. kernas instantiates kernas's own classes,
classes the user registered with ``register_keras_serializable``, and classes
passed to the current load as ``custom_objects`` (or a ``CustomObjectScope``);
any other name is refused. Nothing is imported or evaluated from a file.
"""

import contextlib
import contextvars
import inspect

_REGISTERED = {}  # "package>name" -> class
_REGISTERED_NAMES = {}  # class -> "package>name"
_SCOPE = contextvars.ContextVar("kernas_custom_objects", default=())


def register_keras_serializable(package="Custom", name=None):
    """Registers a class (or a metric function) so that configs naming it can be loaded, under ``"package>name"``.

    Args:
        package: the package part of the key (``"Custom"`` by default).
        name: the name part (the class's ``__name__`` by default).

    Example:
        >>> @kernas.saving.register_keras_serializable("my_package")
        ... class Scaled(kernas.layers.Layer):
        ...     ...
    """

    def decorator(obj):
        if not callable(obj) or not hasattr(obj, "__name__"):
            raise TypeError(f"Expected a class or a function to register. Received: {obj!r}.")
        if inspect.isclass(obj) and not hasattr(obj, "get_config"):
            raise ValueError("Cannot register a class that does not have a get_config() method.")
        key = f"{package}>{name if name is not None else obj.__name__}"
        if key in _REGISTERED and _REGISTERED[key] is not obj:
            raise ValueError(f"{key} has already been registered to {_REGISTERED[key]}.")
        _REGISTERED[key] = obj
        _REGISTERED_NAMES[obj] = key
        return obj

    return decorator


def get_registered_name(cls):
    """The key ``cls`` (or a function) was registered under, or its ``__name__`` when it was not (as Keras)."""
    return _REGISTERED_NAMES.get(cls, cls.__name__)


def get_registered_object(name, custom_objects=None):
    """The object registered or passed as ``custom_objects`` under ``name``; ``None`` when there is none."""
    for scope in (custom_objects or {}, *reversed(_SCOPE.get())):
        if name in scope:
            return scope[name]
    return _REGISTERED.get(name)


@contextlib.contextmanager
def custom_object_scope(custom_objects):
    """Makes ``custom_objects`` (``{name: class}``) available to every config loaded inside the block."""
    if custom_objects is None:
        custom_objects = {}
    if not isinstance(custom_objects, dict) or not all(isinstance(key, str) for key in custom_objects):
        raise TypeError(f"Expected `custom_objects` to be a dict mapping names to classes. Received: "
                        f"custom_objects={custom_objects!r}.")
    token = _SCOPE.set(_SCOPE.get() + (dict(custom_objects),))
    try:
        yield
    finally:
        _SCOPE.reset(token)


CustomObjectScope = custom_object_scope


def custom_class(config, base, kind):
    """The user class a config dict names, if one is registered or in scope; ``None`` for kernas's own.

    A name that resolves to something other than a subclass of ``base`` is refused:
    a loss config cannot instantiate a layer, nor anything that is not a class.
    """
    for key in (config.get("registered_name"), config.get("class_name")):
        if not isinstance(key, str):
            continue
        found = get_registered_object(key)
        if found is None:
            continue
        if not (inspect.isclass(found) and issubclass(found, base)):
            raise ValueError(f"Expected '{key}' to name a subclass of {base.__name__} for this {kind} config. "
                             f"Received: {found!r}.")
        return found
    return None


def is_user_module(config):
    """Whether a config dict says its class lives outside Keras (so only a user class can serve it)."""
    module = config.get("module")
    return isinstance(module, str) and not (module == "keras" or module.startswith("keras."))


def unknown_user_class(config, kind):
    """The error for a config naming a class that is neither kernas's nor registered."""
    name = config.get("registered_name") or config.get("class_name")
    return ValueError(
        f"Unknown {kind} class '{name}' (module {config.get('module')!r}). kernas only instantiates its own classes "
        "and the ones you provide: pass custom_objects={'" + str(config.get("class_name")) + "': TheClass} (to "
        "load_model, model_from_json or from_config), or decorate the class with "
        "@kernas.saving.register_keras_serializable()."
    )
