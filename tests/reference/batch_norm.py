"""NumPy (float64) reference of the batch-normalization kernels over the last axis.

Textbook formulas on a (rows, channels) view; they favour obviousness over
speed and never call kernas.
"""

import numpy as np


def _rows(x):
    x = np.asarray(x, dtype=np.float64)
    return x.reshape(-1, x.shape[-1])


def moments(x):
    """Per-channel mean and biased variance (the mean of squared deviations)."""
    rows = _rows(x)
    mean = rows.mean(axis=0)
    return mean, ((rows - mean) ** 2).mean(axis=0)


def normalize(x, mean, variance, gamma=None, beta=None, epsilon=1e-3):
    """gamma * (x - mean) / sqrt(variance + epsilon) + beta, broadcast over the last axis."""
    x = np.asarray(x, dtype=np.float64)
    y = (x - np.asarray(mean, np.float64)) / np.sqrt(np.asarray(variance, np.float64) + epsilon)
    if gamma is not None:
        y = y * np.asarray(gamma, np.float64)
    if beta is not None:
        y = y + np.asarray(beta, np.float64)
    return y


def training_forward(x, gamma=None, beta=None, epsilon=1e-3):
    """(y, mean, variance) with the batch's own statistics."""
    mean, variance = moments(x)
    return normalize(x, mean, variance, gamma, beta, epsilon), mean, variance


def training_backward(dy, x, gamma=None, epsilon=1e-3):
    """(dx, dgamma, dbeta) of training_forward, by the chain rule through mean and variance."""
    shape = np.shape(x)
    rows, grad = _rows(x), _rows(dy)
    n = rows.shape[0]
    mean, variance = moments(x)
    inv_std = 1.0 / np.sqrt(variance + epsilon)
    xhat = (rows - mean) * inv_std
    g = np.ones_like(mean) if gamma is None else np.asarray(gamma, np.float64)
    dbeta = grad.sum(axis=0)
    dgamma = (grad * xhat).sum(axis=0)
    dxhat = grad * g
    dvariance = (dxhat * (rows - mean)).sum(axis=0) * -0.5 * inv_std**3
    dmean = -(dxhat * inv_std).sum(axis=0) + dvariance * (-2.0 * (rows - mean)).mean(axis=0)
    dx = dxhat * inv_std + dvariance * 2.0 * (rows - mean) / n + dmean / n
    return dx.reshape(shape), dgamma, dbeta


def inference_backward(dy, x, mean, variance, gamma=None, epsilon=1e-3):
    """(dx, dgamma, dbeta) of normalize with fixed statistics."""
    shape = np.shape(x)
    rows, grad = _rows(x), _rows(dy)
    inv_std = 1.0 / np.sqrt(np.asarray(variance, np.float64) + epsilon)
    g = np.ones_like(inv_std) if gamma is None else np.asarray(gamma, np.float64)
    dx = grad * g * inv_std
    return dx.reshape(shape), (grad * (rows - mean) * inv_std).sum(axis=0), grad.sum(axis=0)


def moving_update(moving, batch, momentum):
    """Keras's moving average, in float32 as its float32 variables compute it."""
    moving = np.asarray(moving, np.float32)
    return moving * np.float32(momentum) + np.asarray(batch, np.float32) * np.float32(1.0 - momentum)
