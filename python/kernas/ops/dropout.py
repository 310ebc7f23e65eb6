"""Dropout kernels with a counter-based mask that is never stored.

Element ``i`` of an array is kept when the Philox4x32-10 random word for
``(seed, step, i)`` is at least ``rate * 2**32``; kept elements are scaled by
``1 / (1 - rate)``. The backward pass regenerates the same mask from the same
``(seed, step)``, and neither the thread count nor the kernel set changes it.
A layer passes a fixed seed and a step that advances once per training step.
"""

import numbers
import operator

import numpy as np

from kernas import _core
from kernas.ops._checks import as_float32, caller_output

_UINT64_MAX = 2**64 - 1


def _check_rate(rate):
    if isinstance(rate, bool) or not isinstance(rate, numbers.Real):
        raise TypeError(f"Expected a dropout rate as a float in [0, 1). Received: rate={rate!r}.")
    rate = float(rate)
    if not 0.0 <= rate < 1.0:
        raise ValueError(
            f"Expected a dropout rate in [0, 1). Received: rate={rate}. The rate is the fraction of "
            "inputs set to zero; use 0 for no dropout."
        )
    return rate


def _check_counter(value, name):
    if isinstance(value, bool) or not hasattr(value, "__index__"):
        raise TypeError(f"Expected `{name}` to be an integer. Received: {name}={value!r}.")
    value = operator.index(value)
    if not 0 <= value <= _UINT64_MAX:
        raise ValueError(f"Expected `{name}` in [0, 2**64 - 1]. Received: {name}={value}.")
    return value


def _apply(kernel, x, rate, seed, step, out, x_name):
    rate = _check_rate(rate)
    seed = _check_counter(seed, "seed")
    step = _check_counter(step, "step")
    x = as_float32(x, x_name)
    if caller_output(out, "out") is None:
        out = np.empty(x.shape, dtype=np.float32)
    kernel(x, rate, seed, step, out)
    return out


def dropout_forward(x, rate, seed, step, out=None):
    """Returns ``x * keep / (1 - rate)``, ``keep`` drawn from ``(seed, step, element index)``.

    Dropped elements are 0 whatever ``x`` holds there (as Keras's
    ``where(mask, x / keep_prob, 0)``). ``rate=0`` returns a copy of ``x``.

    Args:
        x: an array of any shape.
        rate: the fraction of elements to drop, in ``[0, 1)``.
        seed: an integer in ``[0, 2**64)`` naming the mask sequence.
        step: an integer in ``[0, 2**64)``; a new step gives a new mask.
        out: optional float32 C-contiguous array of ``x``'s shape to write
            into; it may be ``x`` itself (in place).

    Returns:
        The float32 result, shaped like ``x``.

    Example:
        >>> y = dropout_forward(np.ones((2, 3)), rate=0.5, seed=7, step=0)
        >>> sorted(set(y.ravel().tolist())) in ([0.0, 2.0], [0.0], [2.0])
        True
    """
    return _apply(_core.dropout_forward, x, rate, seed, step, out, "x")


def dropout_backward(dy, rate, seed, step, out=None):
    """Returns the gradient of :func:`dropout_forward` at ``(rate, seed, step)``.

    The same mask and scale are applied to ``dy``; nothing from the forward
    pass needs to be kept.

    Args:
        dy: the gradient of the loss at the dropout output.
        rate: the forward pass's rate.
        seed: the forward pass's seed.
        step: the forward pass's step.
        out: optional float32 array of ``dy``'s shape to write into (may be ``dy``).

    Returns:
        The float32 gradient at the dropout input, shaped like ``dy``.

    Example:
        >>> dx = dropout_backward(np.ones((2, 3)), rate=0.5, seed=7, step=0)
    """
    return _apply(_core.dropout_backward, dy, rate, seed, step, out, "dy")
