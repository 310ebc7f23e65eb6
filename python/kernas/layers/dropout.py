"""Dropout: zeroes a random fraction of the inputs in training, with a mask that is never stored."""

import numbers

import numpy as np

from kernas.layers.layer import Layer
from kernas.ops.dropout import dropout_backward, dropout_forward
from kernas.random import draw_seed

_MAX_SEED = 2**64 - 1


class Dropout(Layer):
    """Sets each input to 0 with probability ``rate`` in training, scaling the others by ``1 / (1 - rate)``.

    At inference (``training=False``) the layer is the identity. The mask of
    a training call is a function of ``(seed, step, element index)``:
    ``step`` counts this layer's training calls, so every call draws a new
    mask and the backward pass regenerates it instead of storing it.

    Args:
        rate: float in [0, 1], the fraction of inputs to drop.
        noise_shape: must be ``None`` (kernas draws one mask value per element).
        seed: an int; ``None`` draws one from kernas's global seed stream at
            construction (``kernas.utils.set_random_seed`` makes it reproducible).
        **kwargs: base layer arguments.

    Input shape:
        Any.

    Output shape:
        Same as the input.

    Example:
        >>> layer = Dropout(0.5, seed=1)
        >>> y = layer(np.ones((2, 4), np.float32), training=True)
        >>> sorted(set(y.ravel().tolist())) in ([0.0, 2.0], [0.0], [2.0])
        True
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0 <= rate <= 1:
            raise ValueError(
                "Invalid value received for argument `rate`. Expected a float value between 0 and 1. "
                f"Received: rate={rate}"
            )
        if noise_shape is not None:
            raise ValueError(
                f"kernas's Dropout draws one mask value per element and does not support `noise_shape`. "
                f"Received: noise_shape={noise_shape!r}. Remove the argument (leave it None)."
            )
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)
                                 or not 0 <= seed <= _MAX_SEED):
            raise ValueError(
                f"Expected `seed` to be None or an integer in [0, 2**64 - 1] (the mask generator's key). "
                f"Received: seed={seed!r}."
            )
        self.rate = rate
        self.noise_shape = None
        self.seed = seed
        self._seed = draw_seed() if seed is None else int(seed)
        self._rate = float(rate)
        self._step = 0

    def forward(self, inputs, training=False):
        """Returns ``(outputs, saved)``; ``saved`` is ``(seed, step)``, or ``None`` when nothing was dropped."""
        if not training or self._rate == 0.0:
            return inputs, None
        step = self._step
        self._step = step + 1
        if self._rate == 1.0:
            return np.zeros_like(inputs), (self._seed, step)
        return dropout_forward(inputs, self._rate, self._seed, step), (self._seed, step)

    def backward(self, saved, grad_output, need_input_grad=True):
        if not need_input_grad:
            return None, []
        if saved is None:
            return grad_output, []
        seed, step = saved
        if self._rate == 1.0:
            return np.zeros_like(grad_output), []
        return dropout_backward(grad_output, self._rate, seed, step), []

    def get_config(self):
        config = super().get_config()
        config.update({"rate": self.rate, "seed": self.seed, "noise_shape": self.noise_shape})
        return config
