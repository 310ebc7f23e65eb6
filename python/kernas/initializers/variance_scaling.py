"""VarianceScaling and its named cases: Glorot, He and LeCun, uniform and normal."""

import math

import numpy as np

from kernas.initializers.initializer import RandomInitializer, check_float32, standardize_shape
from kernas.initializers.random_initializers import truncated_standard_normal

# The standard deviation of a standard normal truncated to (-2, 2): dividing by
# it gives the truncated draws the variance asked for.
_TRUNCATED_STDDEV = 0.87962566103423978


def compute_fans(shape, input_axes=None, output_axes=None):
    """``(fan_in, fan_out)`` of a weight shape, by Keras's rules.

    A kernel ``(..., in, out)`` (Dense ``(in, out)``, Conv2D ``(kh, kw, in, out)``)
    has ``fan_in = in * receptive field`` and ``fan_out = out * receptive field``,
    the receptive field being the product of the leading dimensions. A 1-D
    shape has both fans equal to its length, a scalar both 1. Given
    ``input_axes`` and ``output_axes``, the fans are the products of those dimensions.

    Example:
        >>> compute_fans((3, 3, 16, 32))
        (144, 288)
    """
    shape = tuple(shape)
    if input_axes is not None and output_axes is not None:
        return int(np.prod([shape[a] for a in input_axes])), int(np.prod([shape[a] for a in output_axes]))
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return int(shape[0]), int(shape[0])
    receptive_field = int(np.prod(shape[:-2]))
    return int(shape[-2] * receptive_field), int(shape[-1] * receptive_field)


class VarianceScaling(RandomInitializer):
    """Draws with a variance of ``scale / n``, ``n`` a fan of the weight shape.

    ``n`` is ``fan_in``, ``fan_out`` or their mean (``mode``; at least 1).
    ``"truncated_normal"`` draws a normal truncated to two standard deviations
    whose standard deviation is ``sqrt(scale / n) / 0.8796...`` (so the
    truncated draws have the variance asked for), ``"untruncated_normal"`` a
    normal with standard deviation ``sqrt(scale / n)``, ``"uniform"`` a uniform
    on ``[-limit, limit)`` with ``limit = sqrt(3 * scale / n)``.

    Args:
        scale: a positive factor.
        mode: ``"fan_in"``, ``"fan_out"`` or ``"fan_avg"``.
        distribution: ``"truncated_normal"`` (``"normal"`` means it too),
            ``"untruncated_normal"`` or ``"uniform"``.
        seed: an int, or ``None`` to draw one from kernas's global seed stream.
        input_axes, output_axes: optional axes whose sizes multiply into the fans.

    Example:
        >>> VarianceScaling(2.0, "fan_in", "uniform", seed=0)((100, 10)).max() < math.sqrt(0.06)
        True
    """

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None, input_axes=None,
                 output_axes=None):
        if scale <= 0.0:
            raise ValueError(f"Argument `scale` must be positive float. Received: scale={scale}")
        allowed_modes = ("fan_in", "fan_out", "fan_avg")
        if mode not in allowed_modes:
            raise ValueError(f"Invalid `mode` argument: {mode}. Please use one of {allowed_modes}")
        distribution = distribution.lower()
        if distribution == "normal":
            distribution = "truncated_normal"
        allowed_distributions = ("uniform", "truncated_normal", "untruncated_normal")
        if distribution not in allowed_distributions:
            raise ValueError(
                f"Invalid `distribution` argument: {distribution}. Please use one of {allowed_distributions}"
            )
        self.scale = scale
        self.mode = mode
        self.distribution = distribution
        self.input_axes = input_axes
        self.output_axes = output_axes
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        check_float32(dtype)
        shape = standardize_shape(shape)
        fan_in, fan_out = compute_fans(shape, self.input_axes, self.output_axes)
        fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        scale = self.scale / max(1.0, fan)
        generator = self._generator()
        if self.distribution == "truncated_normal":
            values = truncated_standard_normal(generator, shape) * (math.sqrt(scale) / _TRUNCATED_STDDEV)
        elif self.distribution == "untruncated_normal":
            values = generator.standard_normal(shape) * math.sqrt(scale)
        else:
            limit = math.sqrt(3.0 * scale)
            values = generator.uniform(-limit, limit, shape)
        return values.astype(np.float32)

    def get_config(self):
        return {
            **super().get_config(),
            "scale": self.scale,
            "mode": self.mode,
            "distribution": self.distribution,
            "input_axes": self.input_axes,
            "output_axes": self.output_axes,
        }


class _NamedVarianceScaling(VarianceScaling):
    """A VarianceScaling whose scale, mode and distribution are fixed by its name."""

    _SCALE, _MODE, _DISTRIBUTION = 1.0, "fan_in", "truncated_normal"

    # Every named case takes the same arguments: one text documents them all.
    _ARGS_DOC = """

    Args:
        seed: an int, or ``None`` to draw one from kernas's global seed stream.
        input_axes, output_axes: optional axes whose sizes multiply into the fans.
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.__module__ == __name__:  # the named cases below, not users' subclasses
            cls.__doc__ = cls.__doc__.rstrip() + cls._ARGS_DOC

    def __init__(self, seed=None, input_axes=None, output_axes=None):
        super().__init__(scale=self._SCALE, mode=self._MODE, distribution=self._DISTRIBUTION, seed=seed,
                         input_axes=input_axes, output_axes=output_axes)

    def get_config(self):
        return {"seed": self._init_seed, "input_axes": self.input_axes, "output_axes": self.output_axes}


class GlorotUniform(_NamedVarianceScaling):
    """Glorot (Xavier) uniform: uniform on ``±sqrt(6 / (fan_in + fan_out))``."""

    _SCALE, _MODE, _DISTRIBUTION = 1.0, "fan_avg", "uniform"


class GlorotNormal(_NamedVarianceScaling):
    """Glorot (Xavier) normal: truncated normal of variance ``2 / (fan_in + fan_out)``."""

    _SCALE, _MODE, _DISTRIBUTION = 1.0, "fan_avg", "truncated_normal"


class LecunNormal(_NamedVarianceScaling):
    """LeCun normal: truncated normal of variance ``1 / fan_in``."""

    _SCALE, _MODE, _DISTRIBUTION = 1.0, "fan_in", "truncated_normal"


class LecunUniform(_NamedVarianceScaling):
    """LeCun uniform: uniform on ``±sqrt(3 / fan_in)``."""

    _SCALE, _MODE, _DISTRIBUTION = 1.0, "fan_in", "uniform"


class HeNormal(_NamedVarianceScaling):
    """He normal: truncated normal of variance ``2 / fan_in``."""

    _SCALE, _MODE, _DISTRIBUTION = 2.0, "fan_in", "truncated_normal"


class HeUniform(_NamedVarianceScaling):
    """He uniform: uniform on ``±sqrt(6 / fan_in)``."""

    _SCALE, _MODE, _DISTRIBUTION = 2.0, "fan_in", "uniform"
