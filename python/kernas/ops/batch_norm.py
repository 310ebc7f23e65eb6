"""Batch-normalization kernels over the last (channels) axis.

Any input ``(..., channels)`` is normalized as a ``(rows, channels)`` array,
``rows`` the product of the leading dimensions (an NHWC activation is
``N * H * W`` rows). Reductions over rows use fixed chunks combined in a
fixed order, so results are bitwise identical for any thread count; the
variance is the biased one (Keras's), computed without cancellation.
"""

import numbers

import numpy as np

from kernas import _core
from kernas.ops._checks import as_float32, caller_output


def _channels(x):
    if x.ndim < 1:
        raise ValueError(f"Expected `x` to have at least 1 dimension (channels last). Received: x.shape={x.shape}.")
    return x.shape[-1]


def _real(value, name):
    """A hyperparameter as a float; the native module would refuse anything else with an unclear TypeError."""
    if type(value) is float:
        return value
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"Expected `{name}` to be a real number. Received: {name}={value!r}.")
    return float(value)


def _optional(array, name):
    """A per-channel input as float32 (``None`` stays ``None``): non-numeric values are refused by name."""
    return None if array is None else as_float32(array, name)


def batch_norm_training(x, gamma=None, beta=None, epsilon=1e-3, moving_mean=None, moving_variance=None,
                        momentum=0.99, out=None):
    """Normalizes ``x`` with its own batch statistics (training mode).

    Args:
        x: ``(..., channels)`` array with at least one row.
        gamma: ``(channels,)`` scale, or ``None`` for 1.
        beta: ``(channels,)`` offset, or ``None`` for 0.
        epsilon: added to the variance before the square root.
        moving_mean, moving_variance: optional float32 C-contiguous
            ``(channels,)`` arrays updated in place as Keras does:
            ``moving = moving * momentum + batch * (1 - momentum)``.
        momentum: the moving average's momentum.
        out: optional float32 array shaped like ``x`` to write ``y`` into.

    Returns:
        ``(y, mean, variance, inv_std)``: ``y = (x - mean) * (gamma * inv_std) + beta``,
        the batch mean and biased variance per channel, and
        ``inv_std = 1 / sqrt(variance + epsilon)`` (what ``batch_norm_backward`` takes).

    Example:
        >>> y, mean, variance, inv_std = batch_norm_training(np.array([[1.0], [3.0]]), epsilon=0.0)
        >>> y.ravel().tolist(), mean.tolist(), variance.tolist()
        ([-1.0, 1.0], [2.0], [1.0])
    """
    x = as_float32(x, "x")
    channels = _channels(x)
    epsilon, momentum = _real(epsilon, "epsilon"), _real(momentum, "momentum")
    gamma, beta = _optional(gamma, "gamma"), _optional(beta, "beta")
    moving_mean = caller_output(moving_mean, "moving_mean")
    moving_variance = caller_output(moving_variance, "moving_variance")
    y = np.empty(x.shape, dtype=np.float32) if out is None else caller_output(out, "out")
    mean = np.empty(channels, dtype=np.float32)
    variance = np.empty(channels, dtype=np.float32)
    inv_std = np.empty(channels, dtype=np.float32)
    _core.batch_norm_forward_training(x, gamma, beta, epsilon, y, mean, variance, inv_std, moving_mean,
                                      moving_variance, momentum)
    return y, mean, variance, inv_std


def batch_norm_inference(x, mean, variance, gamma=None, beta=None, epsilon=1e-3, out=None):
    """Normalizes ``x`` with given statistics (inference mode, the moving ones).

    Args:
        x: ``(..., channels)`` array.
        mean, variance: ``(channels,)`` statistics.
        gamma: ``(channels,)`` scale, or ``None`` for 1.
        beta: ``(channels,)`` offset, or ``None`` for 0.
        epsilon: added to the variance before the square root.
        out: optional float32 array shaped like ``x`` to write ``y`` into.

    Returns:
        ``(y, inv_std)`` with ``y = (x - mean) * (gamma * inv_std) + beta`` and
        ``inv_std = 1 / sqrt(variance + epsilon)``.

    Example:
        >>> y, _ = batch_norm_inference(np.array([[4.0]]), np.array([2.0]), np.array([4.0]), epsilon=0.0)
        >>> y.tolist()
        [[1.0]]
    """
    x = as_float32(x, "x")
    channels = _channels(x)
    epsilon = _real(epsilon, "epsilon")
    mean, variance = as_float32(mean, "mean"), as_float32(variance, "variance")
    gamma, beta = _optional(gamma, "gamma"), _optional(beta, "beta")
    y = np.empty(x.shape, dtype=np.float32) if out is None else caller_output(out, "out")
    inv_std = np.empty(channels, dtype=np.float32)
    _core.batch_norm_forward_inference(x, mean, variance, gamma, beta, epsilon, y, inv_std)
    return y, inv_std


def batch_norm_backward(dy, x, mean, inv_std, gamma=None, training=True, input_grad=True, gamma_grad=True,
                        beta_grad=True):
    """Gradients of batch normalization from ``dy``, the gradient of its output.

    Args:
        dy: ``(..., channels)``, shaped like ``x``.
        x: the forward's input.
        mean, inv_std: the statistics the forward used (its returned ``mean``
            and ``inv_std`` in training mode; the given mean and the returned
            ``inv_std`` in inference mode).
        gamma: the forward's scale, or ``None``.
        training: whether the forward used batch statistics (which then
            depend on ``x``); otherwise ``dx = dy * gamma * inv_std``.
        input_grad, gamma_grad, beta_grad: which gradients to compute.

    Returns:
        ``(dx, dgamma, dbeta)``, each ``None`` when not asked for.
    """
    x = as_float32(x, "x")
    dy = as_float32(dy, "dy")
    mean, inv_std, gamma = as_float32(mean, "mean"), as_float32(inv_std, "inv_std"), _optional(gamma, "gamma")
    channels = _channels(x)
    dx = np.empty(x.shape, dtype=np.float32) if input_grad else None
    dgamma = np.empty(channels, dtype=np.float32) if gamma_grad else None
    dbeta = np.empty(channels, dtype=np.float32) if beta_grad else None
    _core.batch_norm_backward(x, dy, mean, inv_std, gamma, training, dx, dgamma, dbeta)
    return dx, dgamma, dbeta
