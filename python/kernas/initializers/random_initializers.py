"""Initializers drawing from fixed distributions: RandomNormal, RandomUniform, TruncatedNormal, Orthogonal."""

import numpy as np

from kernas.initializers.initializer import RandomInitializer, check_float32, standardize_shape


def truncated_standard_normal(generator, shape):
    """Standard normal draws, those outside (-2, 2) redrawn until inside (Keras's truncation)."""
    values = generator.standard_normal(shape)
    outside = np.flatnonzero(np.abs(values) >= 2.0)
    flat = values.reshape(-1)
    # About 4.6% fall outside per round, so a handful of vectorised rounds suffice.
    while outside.size:
        flat[outside] = generator.standard_normal(outside.size)
        outside = outside[np.abs(flat[outside]) >= 2.0]
    return values


class _ScaledNormal(RandomInitializer):
    """``mean + stddev * z``, ``z`` drawn by ``_standard_normal(generator, shape)``."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        check_float32(dtype)
        values = self._standard_normal(self._generator(), standardize_shape(shape))
        return (values * self.stddev + self.mean).astype(np.float32)

    def get_config(self):
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


class RandomNormal(_ScaledNormal):
    """Draws from a normal distribution.

    Args:
        mean: the distribution's mean.
        stddev: its standard deviation.
        seed: an int, or ``None`` to draw one from kernas's global seed stream.

    Example:
        >>> RandomNormal(stddev=1.0, seed=1)((2, 2)).shape
        (2, 2)
    """

    @staticmethod
    def _standard_normal(generator, shape):
        return generator.standard_normal(shape)


class TruncatedNormal(_ScaledNormal):
    """Draws from a normal distribution truncated to two standard deviations around the mean.

    Args:
        mean: the mean of the untruncated distribution.
        stddev: its standard deviation (the truncated one's is about 0.88 times this).
        seed: an int, or ``None`` to draw one from kernas's global seed stream.

    Example:
        >>> abs(TruncatedNormal(stddev=1.0, seed=1)((100,))).max() < 2
        True
    """

    _standard_normal = staticmethod(truncated_standard_normal)


class RandomUniform(RandomInitializer):
    """Draws uniformly from ``[minval, maxval)``.

    Args:
        minval: the lower bound.
        maxval: the upper bound (excluded).
        seed: an int, or ``None`` to draw one from kernas's global seed stream.

    Example:
        >>> RandomUniform(-1.0, 1.0, seed=1)((3,)).shape
        (3,)
    """

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        self.minval = minval
        self.maxval = maxval
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        check_float32(dtype)
        values = self._generator().uniform(self.minval, self.maxval, standardize_shape(shape))
        return values.astype(np.float32)

    def get_config(self):
        return {**super().get_config(), "minval": self.minval, "maxval": self.maxval}


class Orthogonal(RandomInitializer):
    """An orthogonal matrix (rows or columns orthonormal) times ``gain``.

    The shape is flattened to ``(prod(shape[:-1]), shape[-1])``; the Q factor
    of a normal matrix of that size, its signs fixed by R's diagonal, fills it.

    Args:
        gain: the factor applied to the orthogonal matrix.
        seed: an int, or ``None`` to draw one from kernas's global seed stream.

    Example:
        >>> q = Orthogonal(seed=1)((4, 4))
        >>> bool(np.allclose(q @ q.T, np.eye(4), atol=1e-5))
        True
    """

    def __init__(self, gain=1.0, seed=None):
        self.gain = gain
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        check_float32(dtype)
        shape = standardize_shape(shape)
        if len(shape) < 2:
            raise ValueError(
                "The tensor to initialize must be at least two-dimensional. "
                f"Received: shape={shape} of rank {len(shape)}."
            )
        rows = int(np.prod(shape[:-1]))
        cols = shape[-1]
        a = self._generator().standard_normal((max(rows, cols), min(rows, cols)))
        q, r = np.linalg.qr(a)
        q *= np.sign(np.diag(r))
        if rows < cols:
            q = q.T
        return (self.gain * q).reshape(shape).astype(np.float32)

    def get_config(self):
        return {**super().get_config(), "gain": self.gain}
