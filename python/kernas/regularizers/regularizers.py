"""Weight penalties added to the training loss: L1, L2, L1L2 and OrthogonalRegularizer."""

import abc
import math

import numpy as np


def validate_float_arg(value, name):
    """A non-negative finite factor as a float, or ValueError as Keras words it."""
    if (isinstance(value, bool) or not isinstance(value, (float, int, np.floating, np.integer))
            or math.isinf(value) or math.isnan(value) or value < 0):
        raise ValueError(f"Invalid value for argument {name}: expected a non-negative float. Received: {name}={value}")
    return float(value)


class Regularizer(abc.ABC):
    """Base class of regularizers: ``regularizer(x)`` is the penalty of weight ``x``.

    Subclasses implement ``__call__(x) -> float``, ``gradient(x)`` (the
    penalty's gradient as a float32 array shaped like ``x``, which kernas's
    training step adds to the weight's gradient) and ``get_config``.
    """

    @abc.abstractmethod
    def __call__(self, x):
        """The penalty of weight ``x``, a float."""

    @abc.abstractmethod
    def gradient(self, x):
        """d(penalty)/dx, a float32 array shaped like ``x``."""

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    @abc.abstractmethod
    def get_config(self):
        """The constructor arguments, as Keras serializes them."""

    def __repr__(self):
        arguments = ", ".join(f"{key}={value!r}" for key, value in self.get_config().items())
        return f"{type(self).__name__}({arguments})"


class L1L2(Regularizer):
    """``l1 * sum(abs(x)) + l2 * sum(square(x))``.

    Args:
        l1: the L1 factor (``None`` means 0).
        l2: the L2 factor (``None`` means 0).

    Example:
        >>> L1L2(l1=0.1, l2=0.5)(np.array([1.0, -2.0], np.float32))
        2.8
    """

    def __init__(self, l1=0.0, l2=0.0):
        self.l1 = validate_float_arg(0.0 if l1 is None else l1, name="l1")
        self.l2 = validate_float_arg(0.0 if l2 is None else l2, name="l2")

    def __call__(self, x):
        penalty = 0.0
        if self.l1:
            penalty += self.l1 * float(np.abs(x, dtype=np.float64).sum())
        if self.l2:
            penalty += self.l2 * float(np.square(x, dtype=np.float64).sum())
        return penalty

    def gradient(self, x):
        grad = np.zeros(np.shape(x), dtype=np.float32)
        if self.l1:
            grad += np.float32(self.l1) * np.sign(x, dtype=np.float32)
        if self.l2:
            grad += np.float32(2.0 * self.l2) * np.asarray(x, dtype=np.float32)
        return grad

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


class L1(Regularizer):
    """``l1 * sum(abs(x))``; its gradient is ``l1 * sign(x)`` (0 at 0).

    Args:
        l1: the factor (``None`` means 0.01).

    Example:
        >>> L1(0.5)(np.array([1.0, -2.0], np.float32))
        1.5
    """

    def __init__(self, l1=0.01):
        # Keras keeps this factor as a float32 tensor, so its config reads 0.009999999776482582 for 0.01.
        self.l1 = float(np.float32(validate_float_arg(0.01 if l1 is None else l1, name="l1")))

    def __call__(self, x):
        return self.l1 * float(np.abs(x, dtype=np.float64).sum())

    def gradient(self, x):
        return np.float32(self.l1) * np.sign(x, dtype=np.float32)

    def get_config(self):
        return {"l1": self.l1}


class L2(Regularizer):
    """``l2 * sum(square(x))``; its gradient is ``2 * l2 * x``.

    Args:
        l2: the factor (``None`` means 0.01).

    Example:
        >>> L2(0.5)(np.array([1.0, -2.0], np.float32))
        2.5
    """

    def __init__(self, l2=0.01):
        self.l2 = validate_float_arg(0.01 if l2 is None else l2, name="l2")

    def __call__(self, x):
        return self.l2 * float(np.square(x, dtype=np.float64).sum())

    def gradient(self, x):
        return np.float32(2.0 * self.l2) * np.asarray(x, dtype=np.float32)

    def get_config(self):
        return {"l2": self.l2}


class OrthogonalRegularizer(Regularizer):
    """Pushes the rows (or columns) of a 2-D weight towards orthogonality.

    The penalty is ``factor * 0.5 * sum(|P - diag(P)|) / (n * (n - 1) / 2)``
    where ``P`` holds the dot products of the L2-normalized rows
    (``mode="rows"``) or columns (``mode="columns"``), ``n`` of them. As in
    Keras, a vector is normalized as ``v * min(1 / |v|, 1e7)``.

    Args:
        factor: the regularization factor.
        mode: ``"rows"`` or ``"columns"``.

    Example:
        >>> OrthogonalRegularizer(1.0)(np.eye(3, dtype=np.float32))
        0.0
    """

    _EPSILON = 1e-7

    def __init__(self, factor=0.01, mode="rows"):
        # Keras keeps the factor as a float32 tensor; its config shows the rounded value.
        self.factor = float(np.float32(validate_float_arg(factor, name="factor")))
        if mode not in ("rows", "columns"):
            raise ValueError(
                f'Invalid value for argument `mode`. Expected one of {{"rows", "columns"}}. Received: mode={mode}'
            )
        self.mode = mode

    def _vectors(self, x):
        x = np.asarray(x, dtype=np.float64)
        if x.ndim != 2:
            raise ValueError(f"Inputs to OrthogonalRegularizer must have rank 2. Received: inputs.shape={x.shape}")
        vectors = x if self.mode == "rows" else x.T
        with np.errstate(divide="ignore"):
            inv_norm = np.minimum(1.0 / np.sqrt((vectors * vectors).sum(axis=1, keepdims=True)), 1.0 / self._EPSILON)
        return vectors, inv_norm

    def _scale(self, n):
        if n < 2:
            raise ValueError(
                f"Expected at least 2 {self.mode} to keep orthogonal. Received: a weight with {n}. "
                "OrthogonalRegularizer needs a kernel with several rows (mode='rows') or columns (mode='columns')."
            )
        return self.factor * 0.5 / (n * (n - 1.0) / 2.0)

    def __call__(self, x):
        vectors, inv_norm = self._vectors(x)
        unit = vectors * inv_norm
        product = unit @ unit.T
        np.fill_diagonal(product, 0.0)
        return float(self._scale(len(unit)) * np.abs(product).sum())

    def gradient(self, x):
        vectors, inv_norm = self._vectors(x)
        unit = vectors * inv_norm
        product = unit @ unit.T
        np.fill_diagonal(product, 0.0)
        # d(penalty)/d(unit) = scale * (S + S^T) @ unit with S = sign(P) off the diagonal (S is symmetric).
        d_unit = 2.0 * self._scale(len(unit)) * (np.sign(product) @ unit)
        # Where the norm exceeds epsilon, unit = v / |v| and its Jacobian projects out the radial part;
        # where it does not, unit = v * 1e7, a constant scale.
        clipped = inv_norm >= 1.0 / self._EPSILON
        radial = np.where(clipped, 0.0, (unit * d_unit).sum(axis=1, keepdims=True))
        d_vectors = (d_unit - unit * radial) * inv_norm
        grad = d_vectors if self.mode == "rows" else d_vectors.T
        return np.ascontiguousarray(grad, dtype=np.float32)

    def get_config(self):
        return {"factor": self.factor, "mode": self.mode}
