"""The ``Loss`` base class (Keras's ``keras.losses.Loss``) with a gradient."""

import abc

import numpy as np

from kernas.backend.dtypes import check_float32
from kernas.backend.naming import snake_case, unique_name
from kernas.ops._checks import as_float32

_REDUCTIONS = ("sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", None, "none")


def standardize_reduction(reduction):
    """Checks a Keras ``reduction`` argument and returns it unchanged."""
    if reduction not in _REDUCTIONS:
        raise ValueError(
            f"Expected `reduction` to be one of {_REDUCTIONS}. Received: reduction={reduction!r}."
        )
    return reduction


def same_rank(x1, x2, expand_rank_1=True):
    """Keras's ``squeeze_or_expand_to_same_rank`` on NumPy arrays."""
    if x1.ndim == x2.ndim + 1 and x1.shape[-1] == 1:
        if x2.ndim == 1 and expand_rank_1:
            x2 = x2[:, None]
        else:
            x1 = x1.reshape(x1.shape[:-1])
    elif x2.ndim == x1.ndim + 1 and x2.shape[-1] == 1:
        if x1.ndim == 1 and expand_rank_1:
            x1 = x1[:, None]
        else:
            x2 = x2.reshape(x2.shape[:-1])
    return x1, x2


class Loss(abc.ABC):
    """Loss base class: a Keras loss that also knows its gradient.

    kernas trains without automatic differentiation, so a loss must give
    d(loss)/d(y_pred) itself. The built-in losses compute value and gradient
    in one fused native kernel. To write your own, subclass and implement
    both ``call`` and ``gradient``; the base class applies the sample weights
    and the reduction to each, exactly as Keras reduces ``call``'s values.

    Args:
        name: the loss's name (defaults to the snake-cased class name, made unique).
        reduction: ``"sum_over_batch_size"`` (default), ``"sum"``, ``"mean"``,
            ``"mean_with_sample_weight"``, ``"none"`` or ``None`` (per-sample
            values; such a loss cannot give a gradient).
        dtype: ``None`` or ``"float32"``; kernas computes in float32.

    Example:
        >>> class MeanCubedError(kernas.losses.Loss):
        ...     def call(self, y_true, y_pred):
        ...         return np.mean((y_pred - y_true) ** 3, axis=-1)
        ...     def gradient(self, y_true, y_pred):
        ...         return 3 * (y_pred - y_true) ** 2 / y_pred.shape[-1]
        >>> value, grad = MeanCubedError().value_and_gradient(np.zeros((2, 2)), np.ones((2, 2)))
        >>> value, grad[0, 0]
        (1.0, 0.75)
    """

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        self.name = name or unique_name(snake_case(type(self).__name__))
        self.reduction = standardize_reduction(reduction)
        self._dtype = check_float32(dtype, type(self).__name__)

    @property
    def dtype(self):
        return self._dtype

    def __call__(self, y_true, y_pred, sample_weight=None):
        """The reduced loss: a float (a float32 array of per-sample values with reduction ``None``)."""
        return self._evaluate(y_true, y_pred, sample_weight, gradient=False)

    def value_and_gradient(self, y_true, y_pred, sample_weight=None):
        """``(loss, grad)``: the reduced loss and its float32 gradient shaped like ``y_pred``."""
        return self._evaluate(y_true, y_pred, sample_weight, gradient=True)

    @abc.abstractmethod
    def call(self, y_true, y_pred):
        """Per-sample loss values (shaped ``y_pred.shape[:-1]`` for the usual losses)."""

    def gradient(self, y_true, y_pred):
        """d(sum of ``call``'s values)/d(y_pred), shaped like ``y_pred`` (unweighted, unreduced).

        A loss with only ``call`` still evaluates; training with it needs this gradient, which kernas,
        having no automatic differentiation, cannot derive.
        """
        raise NotImplementedError(
            f"Expected {type(self).__name__} to implement `gradient(y_true, y_pred)`: kernas has no automatic "
            "differentiation, so a custom loss returns d(sum of its per-sample values)/d(y_pred) itself."
        )

    def fused_softmax_kind(self):
        """``"categorical"`` or ``"sparse"`` when a softmax output may be fused with this loss, else ``None``."""
        return None

    def _evaluate(self, y_true, y_pred, sample_weight, gradient):
        """Keras's reduce_weighted_values over ``call``, and the same weights on ``gradient``."""
        y_pred = as_float32(y_pred, "y_pred")
        y_true = as_float32(y_true, "y_true")
        shape = y_pred.shape
        y_true, y_pred = same_rank(y_true, y_pred)
        values = np.asarray(self.call(y_true, y_pred), dtype=np.float32)
        weights = None
        if sample_weight is not None:
            weights = as_float32(sample_weight, "sample_weight")
            values, weights = same_rank(values, weights)
            values = values * weights
        reduction = self.reduction
        if reduction in (None, "none"):
            if gradient:
                raise ValueError(
                    "Expected a reducing `reduction` for value_and_gradient: the gradient is of a scalar loss. "
                    f"Received: reduction={reduction!r}."
                )
            return values
        total = float(values.sum(dtype=np.float64))
        divisor = 1.0
        if reduction != "sum" and values.ndim > 0:  # Keras leaves a single (0-d) value unreduced
            if reduction == "mean_with_sample_weight" and weights is not None:
                divisor = float(weights.sum(dtype=np.float64))
            else:
                divisor = float(values.size)
        loss = total / divisor if divisor else 0.0
        if not gradient:
            return loss
        grad = np.asarray(self.gradient(y_true, y_pred), dtype=np.float32)
        if grad.shape != y_pred.shape:
            raise ValueError(
                f"Expected {type(self).__name__}.gradient to return an array shaped like y_pred. "
                f"Received: shape {grad.shape} for y_pred.shape={y_pred.shape}."
            )
        scale = np.float32(1.0 / divisor if divisor else 0.0)
        if weights is not None:
            weights = np.broadcast_to(weights, values.shape)
            scale = scale * weights.reshape(weights.shape + (1,) * (grad.ndim - weights.ndim))
        return loss, np.ascontiguousarray(grad * scale, dtype=np.float32).reshape(shape)

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"
