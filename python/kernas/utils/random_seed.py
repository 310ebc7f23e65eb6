"""``set_random_seed``: one call makes every random choice in kernas reproducible."""

import numbers
import random

import numpy as np

from kernas.random import set_global_seed


def set_random_seed(seed):
    """Seeds Python's ``random``, NumPy's global generator and kernas's seed stream.

    Layers, initializers and ``fit``'s shuffling created after this call then
    draw the same values, so the same seed gives bitwise-identical weights
    after ``fit``, whatever the number of threads.

    Args:
        seed: a non-negative integer.
    """
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"Expected `seed` to be a non-negative integer. Received: seed={seed!r}.")
    seed = int(seed)
    random.seed(seed)
    np.random.seed(seed % 2**32)
    set_global_seed(seed)
