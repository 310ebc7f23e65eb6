"""Keras's automatic object names: ``dense``, ``dense_1``, ``dense_2`` ..."""

import collections
import re

_used = collections.Counter()


def snake_case(class_name):
    """``BatchNormalization`` -> ``batch_normalization``, ``Conv2D`` -> ``conv2d``."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", class_name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def unique_name(base):
    """Returns ``base`` the first time, then ``base_1``, ``base_2`` ... as Keras does."""
    count = _used[base]
    _used[base] += 1
    return base if count == 0 else f"{base}_{count}"
