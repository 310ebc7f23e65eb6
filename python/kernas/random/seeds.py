"""The global seed stream.

Everything random in kernas (initializers without a seed, dropout layers,
the shuffle in ``fit``) draws from one NumPy generator. ``set_global_seed``
(called by ``kernas.utils.set_random_seed``) restarts it, so the same seed
gives the same weights, masks and batch order. None of it depends on the
number of threads.
"""

import numpy as np

_generator = np.random.default_rng()


def set_global_seed(seed):
    """Restarts the global stream from ``seed``."""
    global _generator
    _generator = np.random.default_rng(seed)


def global_generator():
    """The global ``numpy.random.Generator``."""
    return _generator


def draw_seed():
    """A fresh 31-bit seed from the global stream."""
    return int(_generator.integers(0, 2**31 - 1))
