"""kernas computes in float32: the one check of every ``dtype`` argument."""

import numpy as np


def check_float32(dtype, owner=None):
    """Returns ``"float32"`` for any spelling of float32 Keras accepts (or ``None``); refuses the rest.

    Accepted: ``None``, ``"float32"``, ``np.float32`` / ``np.dtype("float32")``
    and Keras's ``DTypePolicy`` config dict naming float32.
    """
    name = dtype
    if isinstance(dtype, dict):
        name = dtype.get("config", {}).get("name")
    elif dtype is not None and not isinstance(dtype, str):
        try:
            name = getattr(dtype, "name", None) or np.dtype(dtype).name
        except TypeError:
            name = repr(dtype)  # not a dtype at all (e.g. 7): refused below with the others
    if name not in (None, "float32"):
        where = f" for {owner}" if owner else ""
        raise ValueError(
            f"Expected dtype float32{where} (kernas computes in float32 only). Received: dtype={dtype!r}. "
            "Remove the `dtype` argument or pass 'float32'."
        )
    return "float32"
