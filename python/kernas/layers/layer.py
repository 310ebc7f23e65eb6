"""The base class of every kernas layer: Keras's layer lifecycle on NumPy arrays.

A layer is used three ways:

* as in Keras: ``layer(x)`` builds it on the first call (``build(input_shape)``
  creates its weights with ``add_weight``) and returns ``call(x)``;
* by a model's training step, through the pair ``forward`` / ``backward``:
  ``forward(x, training)`` returns the output and whatever ``backward`` needs
  (``saved``); ``backward(saved, grad_output, need_input_grad)`` returns the
  gradient with respect to the input (``None`` when not asked for) and the
  gradients of the layer's trainable variables, in the order of
  ``trainable_variables_of_layer()``. Nothing is stored on the layer between
  the two calls, so one layer can serve several callers at once.
* by ``compute_output_shape`` for shape inference (batch dimension ``None``).
"""

import functools
import inspect
import numbers

import numpy as np

from kernas.backend import Variable, assign_weights, unique_name
from kernas.backend.dtypes import check_float32
from kernas.backend.naming import snake_case
from kernas.backend.weight_budget import reserve

FLOAT32_POLICY = {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": None}


def standardize_shape(shape, name="shape"):
    """A tuple of positive ints or ``None``s, as Keras accepts shapes."""
    if isinstance(shape, numbers.Integral) and not isinstance(shape, bool):
        shape = (shape,)
    try:
        shape = tuple(shape)
    except TypeError:
        raise TypeError(f"Expected `{name}` to be a tuple of integers. Received: {name}={shape!r}.") from None
    for dim in shape:
        if dim is None:
            continue
        if isinstance(dim, bool) or not isinstance(dim, numbers.Integral) or dim < 0:
            raise ValueError(
                f"Expected `{name}` to contain non-negative integers or None. Received: {name}={shape!r}."
            )
    return tuple(None if dim is None else int(dim) for dim in shape)


@functools.lru_cache(maxsize=None)
def _call_takes_training(call):
    """Whether a ``call`` method accepts ``training`` (Keras passes it only then)."""
    parameters = inspect.signature(call).parameters.values()
    return any(p.name == "training" or p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters)


def missing_backward(layer):
    """The error for training through a layer that only runs forward."""
    return TypeError(
        f"Layer '{layer.name}' ({type(layer).__name__}) has no backward: kernas has no automatic "
        "differentiation, so a layer that fit trains through implements "
        "`backward(saved, grad_output, need_input_grad)` beside `forward`."
    )


class Layer:
    """Base class of all layers.

    Args:
        name: the layer's name; by default the snake_case class name made
            unique (``dense``, ``dense_1``, ...).
        trainable: whether the layer's weights are updated by ``fit``.
        dtype: ``None`` or ``"float32"`` (kernas computes in float32).
        activity_regularizer: an optional regularizer of the layer's output,
            added to the training loss (divided by the batch size, as Keras).
        input_shape: the shape of one sample, for the first layer of a
            ``Sequential`` model (Keras 2 style; ``kernas.Input`` is the Keras 3 way).
        input_dim: shorthand for ``input_shape=(input_dim,)``.
    """

    def __init__(self, *, activity_regularizer=None, trainable=True, dtype=None, autocast=True, name=None, **kwargs):
        input_dim = kwargs.pop("input_dim", None)
        input_shape = kwargs.pop("input_shape", None)
        batch_input_shape = kwargs.pop("batch_input_shape", None)
        kwargs.pop("batch_size", None)
        if kwargs:
            raise ValueError(
                f"Unrecognized keyword arguments passed to {type(self).__name__}: {kwargs}. "
                "Check the argument names against the layer's documentation."
            )
        if input_dim is not None:
            input_shape = (input_dim,)
        self._input_shape_arg = None
        if input_shape is not None:
            self._input_shape_arg = standardize_shape(input_shape, "input_shape")
        elif batch_input_shape is not None:
            self._input_shape_arg = standardize_shape(batch_input_shape, "batch_input_shape")[1:]
        if not isinstance(trainable, bool):
            raise ValueError(f"Expected `trainable` to be a boolean. Received: trainable={trainable!r}.")
        check_float32(dtype)
        if name is None:
            name = unique_name(snake_case(type(self).__name__))
        elif not isinstance(name, str) or not name:
            raise ValueError(f"Expected `name` to be a non-empty string. Received: name={name!r}.")
        elif "/" in name:
            # Saved files address weights by "<layer>/<variable>"; Keras refuses such names too.
            raise ValueError(f"Argument `name` must be a string and cannot contain character `/`. Received: "
                             f"name={name!r}. Choose a name without '/'.")
        self.name = name
        self._trainable = trainable
        self.autocast = autocast
        from kernas import regularizers

        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.built = False
        self._variables = []
        self._build_shape = None

    # ----- weights -------------------------------------------------------

    def add_weight(self, shape=None, initializer=None, dtype=None, trainable=True, regularizer=None,
                   constraint=None, name=None, **kwargs):
        """Creates a float32 ``Variable`` owned by this layer.

        Args:
            shape: the variable's shape (default ``()``).
            initializer: an initializer object, name or callable; default
                ``"glorot_uniform"``.
            trainable: whether optimizers update it.
            regularizer: an optional regularizer whose penalty joins the loss.
            constraint: not supported; must be ``None``.
            name: the variable's name within the layer.
        """
        from kernas import initializers, regularizers

        if constraint is not None:
            raise ValueError(
                f"Weight constraints are not supported by kernas. Received: constraint={constraint!r}. "
                "Remove the constraint argument."
            )
        check_float32(dtype)
        shape = standardize_shape(() if shape is None else shape)
        init = initializers.get("glorot_uniform" if initializer is None else initializer)
        name = name or f"variable_{len(self._variables)}"
        reserve(shape, f"{self.name}/{name}")
        variable = Variable(
            init(shape, dtype="float32"),
            name=name,
            trainable=trainable,
            regularizer=regularizers.get(regularizer),
            path=f"{self.name}/{name}",
        )
        self._variables.append(variable)
        return variable

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        self._trainable = bool(value)

    @property
    def weights(self):
        """All variables, in creation order (Keras's order)."""
        return list(self._variables)

    @property
    def variables(self):
        return list(self._variables)

    @property
    def trainable_weights(self):
        return [v for v in self._variables if v.trainable] if self._trainable else []

    trainable_variables = trainable_weights

    @property
    def non_trainable_weights(self):
        if not self._trainable:
            return list(self._variables)
        return [v for v in self._variables if not v.trainable]

    non_trainable_variables = non_trainable_weights

    def trainable_variables_of_layer(self):
        """The variables ``backward`` returns gradients for, whether or not the layer is frozen."""
        return [v for v in self._variables if v.trainable]

    def get_weights(self):
        """Copies of the weights as NumPy arrays, in Keras's order."""
        return [v.numpy() for v in self._variables]

    def set_weights(self, weights):
        """Sets the weights from a list of arrays shaped as ``get_weights`` returns them."""
        assign_weights(self._variables, weights, f"layer '{self.name}'")

    def count_params(self):
        """The number of scalars in the layer's weights."""
        if not self.built:
            raise ValueError(
                f"You tried to call `count_params` on layer '{self.name}', but the layer isn't built. "
                "You can build it manually via: `layer.build(input_shape)`."
            )
        return int(sum(int(np.prod(v.shape)) for v in self._variables))

    # ----- lifecycle -----------------------------------------------------

    def build(self, input_shape):
        """Creates the weights for inputs of ``input_shape`` (batch dimension included)."""
        self.built = True

    def build_once(self, input_shape):
        """Builds the layer unless it is built already, remembering the shape for ``get_build_config``."""
        if not self.built:
            input_shape = standardize_shape(input_shape, "input_shape")
            self.build(input_shape)
            self.built = True
            self._build_shape = input_shape

    def get_build_config(self):
        if self._build_shape is None:
            return None
        return {"input_shape": tuple(self._build_shape)}

    def compute_output_shape(self, input_shape):
        """The output shape for inputs of ``input_shape``; weightless shape-preserving layers keep it."""
        return tuple(input_shape)

    def forward(self, inputs, training=False):
        """Returns ``(outputs, saved)``; see the module docstring.

        The default serves layers written the Keras way, with only ``call``:
        they run in ``predict`` and ``evaluate``, and ``fit`` refuses them
        unless they also implement ``backward``.
        """
        if type(self).call is Layer.call:
            raise TypeError(
                f"{type(self).__name__} implements neither `call(inputs)` nor `forward(inputs, training)`. "
                "Implement `call` to use the layer for inference, or `forward` and `backward` to train it."
            )
        return self._run_call(inputs, training), None

    def _run_call(self, inputs, training):
        if _call_takes_training(type(self).call):
            return self.call(inputs, training=training)
        return self.call(inputs)

    @classmethod
    def has_backward(cls):
        """Whether the class gives its gradients (``fit`` needs them)."""
        return cls.backward is not Layer.backward

    def backward(self, saved, grad_output, need_input_grad=True):
        """Returns ``(grad_input or None, [gradients of trainable_variables_of_layer()])``."""
        raise missing_backward(self)

    def call(self, inputs, training=None):
        """Keras's ``call``: the layer's output for ``inputs``."""
        return self.forward(inputs, training=bool(training))[0]

    def __call__(self, inputs, training=None, **kwargs):
        if kwargs:
            raise ValueError(f"Unrecognized arguments when calling {type(self).__name__}: {sorted(kwargs)}.")
        from kernas.models.inputs import as_float32_input

        inputs = as_float32_input(inputs, "inputs")
        self.build_once(inputs.shape)
        return self._run_call(inputs, training)

    # ----- serialization -------------------------------------------------

    def get_config(self):
        """Keras's layer config: name, trainable, dtype (+ activity_regularizer)."""
        config = {"name": self.name, "trainable": self.trainable, "dtype": dict(FLOAT32_POLICY)}
        if self.activity_regularizer is not None:
            from kernas import regularizers

            config["activity_regularizer"] = regularizers.serialize(self.activity_regularizer)
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"
