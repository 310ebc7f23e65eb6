"""Argument checks shared by the layers: Keras's standardization, and refusals of what kernas cannot honour."""

import numbers

from kernas.ops._checks import check_extents


def data_format(value):
    """Keras's ``data_format``: ``None`` means channels_last; kernas computes channels-last only."""
    if value is None:
        return "channels_last"
    name = str(value).lower()
    if name not in ("channels_first", "channels_last"):
        raise ValueError(
            "The `data_format` argument must be one of {'channels_first', 'channels_last'}. "
            f"Received: data_format={value}"
        )
    if name == "channels_first":
        raise ValueError(
            "Expected data_format='channels_last' (kernas computes NHWC, Keras's default). "
            "Received: data_format='channels_first'. Transpose the inputs to channels-last "
            "(e.g. np.transpose(x, (0, 2, 3, 1))) and remove the argument."
        )
    return name


def int_tuple(value, n, name):
    """Keras's ``standardize_tuple``: an int or ``n`` ints, all positive, as a tuple."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        values = (int(value),) * n
    else:
        try:
            values = tuple(value)
        except TypeError:
            raise ValueError(
                f"The `{name}` argument must be a tuple of {n} integers. Received {name}={value}"
            ) from None
        if len(values) != n or any(isinstance(v, bool) or not isinstance(v, numbers.Integral) for v in values):
            raise ValueError(f"The `{name}` argument must be a tuple of {n} integers. Received {name}={value}")
        values = tuple(int(v) for v in values)
    if min(values) <= 0:
        raise ValueError(
            f"The `{name}` argument must be a tuple of {n} integers. Received {name}={value}, "
            "including values <= 0"
        )
    return check_extents(values, name, value)


def padding(value):
    """Keras's ``padding``: ``"valid"`` or ``"same"``, any case, returned lower-case."""
    if not isinstance(value, str) or value.lower() not in ("valid", "same"):
        raise ValueError(
            "The `padding` argument must be one of {'valid', 'same'}. "
            f"Received: padding={value!r}. (kernas takes no explicit padding lists.)"
        )
    return value.lower()


def positive_int(value, name):
    """A strictly positive int, as Keras requires of ``units`` and ``filters``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value <= 0:
        raise ValueError(
            f"Received an invalid value for `{name}`, expected a positive integer. Received: {name}={value}"
        )
    return check_extents((int(value),), name, value)[0]


def unsupported(layer, **arguments):
    """Refuses Keras arguments that kernas does not implement, unless they hold their neutral value (None)."""
    for name, value in arguments.items():
        if value is not None:
            raise ValueError(
                f"{layer} in kernas does not support `{name}`. Received: {name}={value!r}. "
                f"Remove the `{name}` argument (leave it None)."
            )


def incompatible_input(layer, expected, shape):
    """Keras's wording for an input that does not fit the layer."""
    return ValueError(
        f"Input 0 of layer \"{layer.name}\" is incompatible with the layer: {expected}, "
        f"but received input with shape {tuple(shape)}. Fix the input's shape or the layer's arguments."
    )


def real_number(value, name):
    """A real number (not a bool), as a float: Keras's float arguments such as ``momentum`` or ``epsilon``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"Expected `{name}` to be a real number. Received: {name}={value!r}.")
    return float(value)
