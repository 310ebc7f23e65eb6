"""A cap on the weights a model built from a file may allocate.

A config can declare any shape (``Dense(units=10**12)``), and building the
model allocates it before a single byte of the weights file is read. While a
file loads, every new weight is charged against the bytes the file can hold,
so a declared shape far larger than the file is refused before allocating.
"""

import contextlib
import contextvars
import math

_BUDGET = contextvars.ContextVar("kernas_weight_budget", default=None)


class _Budget:
    def __init__(self, max_bytes, source):
        self.remaining = max_bytes
        self.max_bytes = max_bytes
        self.source = source


@contextlib.contextmanager
def weight_budget(max_bytes, source):
    """Weights created inside the block may total at most ``max_bytes`` (the weights ``source`` holds)."""
    token = _BUDGET.set(_Budget(max_bytes, source))
    try:
        yield
    finally:
        _BUDGET.reset(token)


def reserve(shape, path, itemsize=4):
    """Charges a new weight of ``shape`` to the active budget; ValueError when the file cannot hold it."""
    budget = _BUDGET.get()
    if budget is None:
        return
    nbytes = math.prod(shape) * itemsize
    if nbytes > budget.remaining:
        raise ValueError(
            f"Expected the model described by {budget.source} to fit the weights the file holds "
            f"({budget.max_bytes} bytes). Received: variable '{path}' of shape {tuple(shape)} "
            f"({nbytes} bytes) takes it past that. The file is corrupt or was crafted; kernas refuses it "
            "before allocating."
        )
    budget.remaining -= nbytes
