"""Float64 NumPy reference of the activations and their gradients, written
from Keras 3's formulas (keras/src/activations/activations.py and
keras/src/backend/numpy/nn.py). Obvious code; never calls kernas.

``forward(name, x, **params)`` and ``derivative(name, x, **params)`` work
elementwise; ``softmax``/``log_softmax`` run over the last axis and have
``backward(name, y, dy)`` in place of a derivative.
"""

import math

import numpy as np

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
GELU_CUBIC = 0.044715

ROW_WISE = ("softmax", "log_softmax")
ELEMENTWISE = (
    "linear", "relu", "leaky_relu", "elu", "selu", "sigmoid", "tanh", "softplus", "softsign",
    "silu", "gelu", "gelu_tanh", "hard_sigmoid", "exponential",
)
ALL = ELEMENTWISE + ROW_WISE


def _f64(x):
    return np.asarray(x, dtype=np.float64)


def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    """Keras 3's ReLU.static_call, term by term."""
    x = _f64(x)
    y = np.where(x > threshold, x, 0.0)
    if max_value is not None:
        y = np.clip(y, 0.0, max_value)
    if negative_slope != 0.0:
        y = y - negative_slope * np.maximum(threshold - x, 0.0)
    return y


def relu_derivative(x, negative_slope=0.0, max_value=None, threshold=0.0):
    x = _f64(x)
    passes = x > threshold
    if max_value is not None:
        passes &= (x >= 0.0) & (x <= max_value)
    return passes + np.where(x < threshold, negative_slope, 0.0)


def sigmoid(x):
    # The tails through exp of a non-positive number: no overflow warnings.
    x = _f64(x)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def gelu_tanh(x):
    # 0.5 x (1 + tanh(u)) == x * sigmoid(2u) exactly; the latter keeps its
    # digits for negative x, where 1 + tanh(u) cancels even in float64.
    x = _f64(x)
    u = SQRT_2_OVER_PI * (x + GELU_CUBIC * x**3)
    return x * sigmoid(2.0 * u)


_erfc = np.vectorize(math.erfc, otypes=[np.float64])


def normal_cdf(x):
    # erfc keeps full relative accuracy in the lower tail, where 1 + erf(x) cancels.
    return 0.5 * _erfc(-_f64(x) / math.sqrt(2.0))


def forward(name, x, negative_slope=0.0, max_value=None, threshold=0.0, alpha=1.0):
    """``name``(x) in float64 (softmax kinds over the last axis)."""
    x = _f64(x)
    with np.errstate(over="ignore", invalid="ignore"):
        if name == "linear":
            return x
        if name == "relu":
            return relu(x, negative_slope, max_value, threshold)
        if name == "leaky_relu":
            return np.where(x > 0, x, negative_slope * x)
        if name == "elu":
            return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0.0)))
        if name == "selu":
            return SELU_SCALE * np.where(x > 0, x, SELU_ALPHA * np.expm1(np.minimum(x, 0.0)))
        if name == "sigmoid":
            return sigmoid(x)
        if name == "tanh":
            return np.tanh(x)
        if name == "softplus":
            return np.logaddexp(x, 0.0)
        if name == "softsign":
            return x / (1.0 + np.abs(x))
        if name == "silu":
            return x * sigmoid(x)
        if name == "gelu":
            return x * normal_cdf(x)
        if name == "gelu_tanh":
            return gelu_tanh(x)
        if name == "hard_sigmoid":
            return np.clip(x + 3.0, 0.0, 6.0) / 6.0
        if name == "exponential":
            return np.exp(x)
        if name == "softmax":
            e = np.exp(x - np.max(x, axis=-1, keepdims=True))
            return e / np.sum(e, axis=-1, keepdims=True)
        if name == "log_softmax":
            shifted = x - np.max(x, axis=-1, keepdims=True)
            return shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))
    raise ValueError(f"unknown activation {name!r}")


def derivative(name, x, negative_slope=0.0, max_value=None, threshold=0.0, alpha=1.0):
    """d name(x) / dx elementwise, in float64 (elementwise kinds only)."""
    x = _f64(x)
    with np.errstate(over="ignore", invalid="ignore"):
        if name == "linear":
            return np.ones_like(x)
        if name == "relu":
            return relu_derivative(x, negative_slope, max_value, threshold)
        if name == "leaky_relu":
            return np.where(x > 0, 1.0, negative_slope)
        if name == "elu":
            return np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0.0)))
        if name == "selu":
            return SELU_SCALE * np.where(x > 0, 1.0, SELU_ALPHA * np.exp(np.minimum(x, 0.0)))
        if name == "sigmoid":
            s = sigmoid(x)
            return s * (1.0 - s)
        if name == "tanh":
            return 1.0 - np.tanh(x) ** 2
        if name == "softplus":
            return sigmoid(x)
        if name == "softsign":
            return 1.0 / (1.0 + np.abs(x)) ** 2
        if name == "silu":
            s = sigmoid(x)
            return s * (1.0 + x * (1.0 - s))
        if name == "gelu":
            return normal_cdf(x) + x * np.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)
        if name == "gelu_tanh":
            s = sigmoid(2.0 * SQRT_2_OVER_PI * (x + GELU_CUBIC * x**3))
            return s + x * 2.0 * s * (1.0 - s) * SQRT_2_OVER_PI * (1.0 + 3.0 * GELU_CUBIC * x * x)
        if name == "hard_sigmoid":
            return np.where((x > -3.0) & (x < 3.0), 1.0 / 6.0, 0.0)
        if name == "exponential":
            return np.exp(x)
    raise ValueError(f"no elementwise derivative for {name!r}")


def derivative_terms(name, x, **params):
    """The size of the terms the derivative is a sum of (|a| + |b| for a + b),
    for error bounds near the derivative's zero crossings, where those terms
    cancel; |derivative| for the kinds whose derivative is one term."""
    x = _f64(x)
    with np.errstate(over="ignore", invalid="ignore"):
        if name == "silu":
            s = sigmoid(x)
            return s + np.abs(x * s * (1.0 - s))
        if name == "gelu":
            return normal_cdf(x) + np.abs(x) * np.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)
        if name == "gelu_tanh":
            s = sigmoid(2.0 * SQRT_2_OVER_PI * (x + GELU_CUBIC * x**3))
            return s + np.abs(x * 2.0 * s * (1.0 - s) * SQRT_2_OVER_PI * (1.0 + 3.0 * GELU_CUBIC * x * x))
        return np.abs(derivative(name, x, **params))


def backward(name, dy, x=None, y=None, **params):
    """dL/dx from dL/dy: elementwise kinds from x, softmax kinds from their output y."""
    dy = _f64(dy)
    if name == "softmax":
        y = _f64(y)
        return y * (dy - np.sum(dy * y, axis=-1, keepdims=True))
    if name == "log_softmax":
        y = _f64(y)
        return dy - np.exp(y) * np.sum(dy, axis=-1, keepdims=True)
    return dy * derivative(name, x, **params)
