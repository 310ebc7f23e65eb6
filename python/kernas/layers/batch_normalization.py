"""BatchNormalization: Keras's batch normalization over the channels (last) axis."""

import numbers

from kernas import initializers, regularizers
from kernas.layers import _arguments
from kernas.layers.layer import Layer
from kernas.ops.batch_norm import batch_norm_backward, batch_norm_inference, batch_norm_training


class BatchNormalization(Layer):
    """Layer that normalizes its inputs over the last axis, as Keras's.

    In training (``training=True`` and the layer trainable) each channel is
    normalized with the mean and biased variance of the current batch,
    ``gamma * (x - mean) / sqrt(var + epsilon) + beta``, and the moving
    statistics are updated in place:
    ``moving_mean = moving_mean * momentum + mean * (1 - momentum)`` (likewise
    ``moving_variance``). Otherwise (inference, or ``trainable=False``: a
    frozen BatchNormalization runs in inference mode, as in Keras) the moving
    statistics are used and nothing changes.

    Args:
        axis: the axis to normalize; kernas supports only the last one
            (``-1``, or its positive index ``ndim - 1``).
        momentum: momentum of the moving averages.
        epsilon: small float added to the variance to avoid dividing by zero.
        center: whether to add the learned offset ``beta``.
        scale: whether to multiply by the learned scale ``gamma``.
        beta_initializer, gamma_initializer: initializers of ``beta`` / ``gamma``.
        moving_mean_initializer, moving_variance_initializer: initializers of
            the moving statistics.
        beta_regularizer, gamma_regularizer: optional regularizers.
        beta_constraint, gamma_constraint: not supported by kernas; must be ``None``.
        renorm: batch renormalization; not supported by kernas, must be ``False``
            (``renorm_clipping`` and ``renorm_momentum`` then have no effect,
            as in Keras, and are kept in the config).
        synchronized: must be ``False`` (only TensorFlow's distributed
            training synchronizes statistics).
        **kwargs: base layer arguments (``name``, ``trainable``, ``dtype``, ...).

    Input shape:
        Any shape ``(batch, ..., channels)``.

    Output shape:
        The input's shape.

    Example:
        >>> layer = BatchNormalization()
        >>> y = layer(np.random.rand(8, 5, 5, 3).astype("float32"), training=True)
        >>> y.shape, layer.moving_mean.shape
        ((8, 5, 5, 3), (3,))
    """

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None, gamma_constraint=None,
                 renorm=False, renorm_clipping=None, renorm_momentum=0.99, synchronized=False, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
            raise ValueError(
                "Expected `axis` to be an int naming the channels axis (kernas normalizes the last axis only). "
                f"Received: axis={axis!r}. Pass axis=-1."
            )
        self.axis = int(axis)
        if synchronized:
            raise ValueError(
                "Argument synchronized=True is only supported with the TensorFlow backend. "
                f"Received: synchronized={synchronized!r}. Remove the argument (kernas trains on one device)."
            )
        self.synchronized = synchronized
        if renorm:
            raise ValueError(
                "kernas does not support batch renormalization. Received: renorm=True. "
                "Remove the `renorm` argument (and renorm_clipping / renorm_momentum)."
            )
        self.renorm = renorm
        self.renorm_clipping = renorm_clipping
        self.renorm_momentum = renorm_momentum
        _arguments.unsupported("BatchNormalization", beta_constraint=beta_constraint,
                               gamma_constraint=gamma_constraint)
        self.momentum = _arguments.real_number(momentum, "momentum")
        self.epsilon = _arguments.real_number(epsilon, "epsilon")
        self.center = center
        self.scale = scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = None
        self.gamma_constraint = None
        self.gamma = None
        self.beta = None
        self.moving_mean = None
        self.moving_variance = None
        self._ndim = None
        self._channels = None

    def _check_axis(self, input_shape):
        ndim = len(input_shape)
        if ndim == 0 or self.axis not in (-1, ndim - 1):
            raise ValueError(
                f"Expected `axis` to be the last axis of the inputs (-1 or {ndim - 1}): kernas's "
                f"BatchNormalization normalizes channels-last data only. Received: axis={self.axis} for inputs "
                f"of shape {tuple(input_shape)}. Transpose the inputs to channels-last and pass axis=-1."
            )

    def build(self, input_shape):
        self._check_axis(input_shape)
        channels = input_shape[-1]
        if channels is None:
            raise ValueError(
                f"Expected the channels axis (-1) of the inputs of layer \"{self.name}\" to be defined. "
                f"Received: input_shape={tuple(input_shape)}."
            )
        shape = (channels,)
        if self.scale:
            self.gamma = self.add_weight(shape=shape, name="gamma", initializer=self.gamma_initializer,
                                         regularizer=self.gamma_regularizer, trainable=True)
        if self.center:
            self.beta = self.add_weight(shape=shape, name="beta", initializer=self.beta_initializer,
                                        regularizer=self.beta_regularizer, trainable=True)
        self.moving_mean = self.add_weight(shape=shape, name="moving_mean",
                                           initializer=self.moving_mean_initializer, trainable=False)
        self.moving_variance = self.add_weight(shape=shape, name="moving_variance",
                                               initializer=self.moving_variance_initializer, trainable=False)
        self._ndim = len(input_shape)
        self._channels = channels
        self.built = True

    def compute_output_shape(self, input_shape):
        self._check_axis(input_shape)
        return tuple(input_shape)

    def forward(self, inputs, training=False):
        """Returns ``(outputs, saved)``; training mode also updates the moving statistics in place."""
        shape = inputs.shape
        if len(shape) != self._ndim or shape[-1] != self._channels:
            raise _arguments.incompatible_input(
                self, f"expected ndim={self._ndim}, axis -1 of input shape to have value {self._channels}", shape)
        gamma = self.gamma.value if self.gamma is not None else None
        beta = self.beta.value if self.beta is not None else None
        if training and self.trainable:
            outputs, mean, _, inv_std = batch_norm_training(
                inputs, gamma, beta, self.epsilon, self.moving_mean.value, self.moving_variance.value, self.momentum)
            return outputs, (inputs, mean, inv_std, True)
        # A copy: a later training-mode call on this layer must not change what backward sees.
        mean = self.moving_mean.value.copy()
        outputs, inv_std = batch_norm_inference(inputs, mean, self.moving_variance.value, gamma, beta, self.epsilon)
        return outputs, (inputs, mean, inv_std, False)

    def backward(self, saved, grad_output, need_input_grad=True):
        inputs, mean, inv_std, training = saved
        gamma = self.gamma.value if self.gamma is not None else None
        dx, dgamma, dbeta = batch_norm_backward(grad_output, inputs, mean, inv_std, gamma, training,
                                                input_grad=need_input_grad, gamma_grad=self.gamma is not None,
                                                beta_grad=self.beta is not None)
        return dx, [grad for grad in (dgamma, dbeta) if grad is not None]

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "axis": self.axis,
                "momentum": self.momentum,
                "epsilon": self.epsilon,
                "center": self.center,
                "scale": self.scale,
                "beta_initializer": initializers.serialize(self.beta_initializer),
                "gamma_initializer": initializers.serialize(self.gamma_initializer),
                "moving_mean_initializer": initializers.serialize(self.moving_mean_initializer),
                "moving_variance_initializer": initializers.serialize(self.moving_variance_initializer),
                "beta_regularizer": regularizers.serialize(self.beta_regularizer),
                "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
                "beta_constraint": None,
                "gamma_constraint": None,
                "synchronized": self.synchronized,
                "renorm": self.renorm,
                "renorm_clipping": self.renorm_clipping,
                "renorm_momentum": self.renorm_momentum,
            }
        )
        return config
