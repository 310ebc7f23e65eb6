"""NumPy (float64) reference of the loss kernels, with their gradients.

Each loss maps (rows, d) arrays to one value per row and that value's
gradient with respect to y_pred; :func:`reduce` then applies sample weights
and Keras's "sum_over_batch_size" (or any other divisor). Clipping uses the
bounds Keras's float32 arrays see, float32(1e-7) and float32(1 - 1e-7), so the
reference and the kernels clip the same elements. Never calls kernas.
"""

import numpy as np

EPSILON = float(np.float32(1e-7))
ONE_MINUS_EPSILON = float(np.float32(1.0 - 1e-7))


def _f64(*arrays):
    return [np.asarray(a, dtype=np.float64) for a in arrays]


def reduce(per_sample, grad, sample_weight=None, divisor=None):
    """Keras's reduction: sum(loss_i * w_i) / divisor (rows by default); the gradient scaled alike."""
    rows = per_sample.shape[0]
    weights = np.ones(rows) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    divisor = float(rows) if divisor is None else float(divisor)
    loss = float(np.sum(per_sample * weights) / divisor) if divisor else 0.0
    scale = weights / divisor if divisor else np.zeros(rows)
    return loss, grad * scale[:, None]


def binary_smoothing(y_true, label_smoothing):
    return y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing


def categorical_smoothing(y_true, label_smoothing):
    return y_true * (1.0 - label_smoothing) + label_smoothing / y_true.shape[-1]


def mean_squared_error(y_true, y_pred):
    t, p = _f64(y_true, y_pred)
    return np.mean((t - p) ** 2, axis=-1), 2.0 * (p - t) / p.shape[-1]


def mean_absolute_error(y_true, y_pred):
    t, p = _f64(y_true, y_pred)
    return np.mean(np.abs(t - p), axis=-1), np.sign(p - t) / p.shape[-1]


def huber(y_true, y_pred, delta=1.0):
    t, p = _f64(y_true, y_pred)
    error = p - t
    small = np.abs(error) <= delta
    values = np.where(small, 0.5 * error**2, delta * np.abs(error) - 0.5 * delta**2)
    grad = np.where(small, error, delta * np.sign(error))
    return np.mean(values, axis=-1), grad / p.shape[-1]


def binary_crossentropy(y_true, y_pred, label_smoothing=0.0):
    t, p = _f64(y_true, y_pred)
    t = binary_smoothing(t, label_smoothing)
    clipped = np.clip(p, EPSILON, ONE_MINUS_EPSILON)
    values = -(t * np.log(clipped) + (1.0 - t) * np.log(1.0 - clipped))
    inside = (p >= EPSILON) & (p <= ONE_MINUS_EPSILON)
    grad = np.where(inside, (clipped - t) / (clipped * (1.0 - clipped)), 0.0)
    return np.mean(values, axis=-1), grad / p.shape[-1]


def binary_crossentropy_from_logits(y_true, logits, label_smoothing=0.0):
    t, x = _f64(y_true, logits)
    t = binary_smoothing(t, label_smoothing)
    values = np.maximum(x, 0.0) - x * t + np.log1p(np.exp(-np.abs(x)))
    sigmoid = 0.5 * (1.0 + np.tanh(0.5 * x))
    return np.mean(values, axis=-1), (sigmoid - t) / x.shape[-1]


def categorical_crossentropy(y_true, y_pred, label_smoothing=0.0):
    """Keras: q = p / sum(p), clipped, loss = -sum(t log q); gradient through the normalisation."""
    t, p = _f64(y_true, y_pred)
    t = categorical_smoothing(t, label_smoothing)
    total = p.sum(axis=-1, keepdims=True)
    q = p / total
    values = -np.sum(t * np.log(np.clip(q, EPSILON, ONE_MINUS_EPSILON)), axis=-1)
    inside = (q >= EPSILON) & (q <= ONE_MINUS_EPSILON)
    dl_dq = np.where(inside, -t / np.where(inside, q, 1.0), 0.0)
    # q_j = p_j / S: dq_j/dp_k = (delta_jk - q_j) / S.
    grad = (dl_dq - np.sum(dl_dq * q, axis=-1, keepdims=True)) / total
    return values, grad


def log_softmax(x):
    shifted = x - x.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def categorical_crossentropy_from_logits(y_true, logits, label_smoothing=0.0):
    t, x = _f64(y_true, logits)
    t = categorical_smoothing(t, label_smoothing)
    log_p = log_softmax(x)
    values = -np.sum(t * log_p, axis=-1)
    grad = np.exp(log_p) * t.sum(axis=-1, keepdims=True) - t
    return values, grad


def one_hot(labels, classes):
    return np.eye(classes)[np.asarray(labels, dtype=np.int64)]


def sparse_categorical_crossentropy(labels, y_pred, from_logits=False):
    classes = np.shape(y_pred)[-1]
    if from_logits:
        return categorical_crossentropy_from_logits(one_hot(labels, classes), y_pred)
    return categorical_crossentropy(one_hot(labels, classes), y_pred)


def softmax(x):
    return np.exp(log_softmax(np.asarray(x, dtype=np.float64)))


def clipped_rows(y_true, logits):
    """Rows where Keras's probability path would clip a labelled probability."""
    p = softmax(logits)
    outside = (p < EPSILON) | (p > ONE_MINUS_EPSILON)
    return int(np.sum(np.any(outside & (np.asarray(y_true) != 0), axis=-1)))
