"""What Dense and Conv2D share: a kernel, an optional bias and an activation fused into their kernel."""

from kernas import initializers, regularizers
from kernas.layers._fused_activation import FusedActivation
from kernas.layers.layer import Layer


class KernelLayer(Layer):
    """Base of the layers computing ``activation(op(inputs, kernel) + bias)``.

    Holds the Keras arguments of the kernel, the bias and the activation,
    creates the two weights and serializes those arguments; subclasses add
    their own arguments, shapes and kernels.
    """

    def __init__(self, activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
                 bias_regularizer, activity_regularizer, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self._activation = FusedActivation(activation)
        self.activation = self._activation.function
        self.activation_name = self._activation.name
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = None
        self.bias_constraint = None
        self.kernel = None
        self.bias = None

    def add_kernel_and_bias(self, kernel_shape):
        """Creates ``kernel`` of ``kernel_shape`` and, with ``use_bias``, a bias of its last dimension."""
        self.kernel = self.add_weight(shape=kernel_shape, initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer, name="kernel")
        if self.use_bias:
            self.bias = self.add_weight(shape=(kernel_shape[-1],), initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer, name="bias")

    def weight_gradients(self, dkernel, dbias):
        """The gradients ``backward`` returns, aligned with the trainable variables."""
        return [dkernel, dbias] if self.use_bias else [dkernel]

    def kernel_config(self):
        """The activation, bias, initializer and regularizer entries of ``get_config``, in Keras's order."""
        return {
            "activation": self.activation_name,
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
        }
