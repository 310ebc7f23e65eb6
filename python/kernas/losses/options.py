"""Argument checks shared by the loss classes and functions (run once, at construction)."""

import numbers

from kernas.ops.losses import _check_flag, _check_fraction


def check_axis(axis):
    if isinstance(axis, bool) or axis != -1:
        raise ValueError(
            "Expected axis=-1: kernas losses reduce over the last axis (channels-last data). "
            f"Received: axis={axis!r}. Move the class axis last (np.moveaxis) instead."
        )
    return axis


def check_ignore_class(ignore_class):
    if ignore_class is not None:
        raise ValueError(
            "Expected ignore_class=None: kernas's sparse_categorical_crossentropy has no ignored class. "
            f"Received: ignore_class={ignore_class!r}. Give those samples sample_weight=0 instead."
        )
    return ignore_class


def check_delta(delta):
    if isinstance(delta, bool) or not isinstance(delta, numbers.Real) or not 0.0 < float(delta) < float("inf"):
        raise ValueError(f"Expected `delta` to be a positive finite float. Received: delta={delta!r}.")
    return delta


def check_from_logits(from_logits):
    return _check_flag(from_logits, "from_logits")


def check_label_smoothing(label_smoothing):
    _check_fraction(label_smoothing, "label_smoothing")
    return label_smoothing
