"""``Sequential``: a plain stack of layers, Keras's most used model."""

from kernas.backend import assign_weights, unique_name
from kernas.layers import InputLayer, KerasTensor, Layer
from kernas.layers import deserialize as deserialize_layer
from kernas.layers import serialize as serialize_layer
from kernas.layers.layer import FLOAT32_POLICY, standardize_shape
from kernas.models.inputs import as_float32_input
from kernas.models.step import StepRunner
from kernas.models.trainer import Trainer


def _compatible(expected, received):
    return len(expected) == len(received) and all(e is None or e == r for e, r in zip(expected, received))


def _duplicate_name(name):
    return ValueError(
        f"All layers added to a Sequential model should have unique names. Name '{name}' is already the name of "
        "a layer in this model. Update the `name` argument to pass a unique name."
    )


class Sequential(Trainer):
    """A linear stack of layers, trained with ``compile`` / ``fit``.

    Args:
        layers: optional list of layers (a ``kernas.Input(...)`` may come first).
        trainable: whether ``fit`` updates the weights.
        name: the model's name (default ``sequential``, ``sequential_1``, ...).

    Example:
        >>> model = kernas.Sequential([kernas.Input(shape=(100,)), kernas.layers.Dense(1, activation="sigmoid")])
        >>> model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    """

    def __init__(self, layers=None, trainable=True, name=None):
        if name is None:
            name = unique_name("sequential")
        elif not isinstance(name, str) or not name:
            raise ValueError(f"Expected `name` to be a non-empty string. Received: name={name!r}.")
        self.name = name
        self._layers = []
        self._input_layer = None
        self.built = False
        self._init_trainer()
        if layers is not None:
            if isinstance(layers, (Layer, KerasTensor)) or not isinstance(layers, (list, tuple)):
                layers = [layers]
            for layer in layers:
                self.add(layer, rebuild=False)
            self._build_if_possible()
        if not isinstance(trainable, bool):
            raise ValueError(f"Expected `trainable` to be a boolean. Received: trainable={trainable!r}.")
        self._trainable = trainable
        if not trainable:
            self.trainable = False

    # ----- structure ---------------------------------------------------------

    @property
    def layers(self):
        """The layers, without the input layer (as Keras 3 lists them)."""
        return list(self._layers)

    def add(self, layer, rebuild=True):
        """Appends a layer (or a ``kernas.Input``) to the stack."""
        layer = self._as_layer(layer)
        if not isinstance(layer, InputLayer):
            names = {existing.name for existing in self._layers}
            if self._input_layer is not None:
                names.add(self._input_layer.name)
            if layer.name in names:
                raise _duplicate_name(layer.name)
        self._append(layer)
        if rebuild:
            self._build_if_possible()

    @staticmethod
    def _as_layer(layer):
        if isinstance(layer, KerasTensor):
            layer = layer._input_layer
        if not isinstance(layer, Layer):
            raise TypeError(
                "Only instances of `kernas.layers.Layer` can be added to a Sequential model. "
                f"Received: {layer!r} (of type {type(layer).__name__})."
            )
        return layer

    def _append(self, layer):
        """Appends a layer whose name is known to be unique."""
        if isinstance(layer, InputLayer):
            if self._input_layer is not None or self._layers:
                raise ValueError(
                    f"Sequential model '{self.name}' has already been configured to use an input shape; an "
                    "InputLayer (or kernas.Input) can only be the first layer. Remove the extra input."
                )
            self._input_layer = layer
        else:
            if not self._layers and self._input_layer is None and layer._input_shape_arg is not None:
                self._input_layer = InputLayer(shape=layer._input_shape_arg)
            self._layers.append(layer)
        self.built = False

    def pop(self, rebuild=True):
        """Removes and returns the last layer."""
        if not self._layers:
            raise TypeError("There are no layers in the model.")
        layer = self._layers.pop()
        self.built = False
        if rebuild:
            self._build_if_possible()
        return layer

    def get_layer(self, name=None, index=None):
        """A layer by name or by index into ``layers``."""
        if index is not None and name is not None:
            raise ValueError("Provide only a layer name or a layer index. Received both.")
        if index is not None:
            if not -len(self._layers) <= index < len(self._layers):
                raise ValueError(f"Was asked to retrieve layer at index {index} but model only has "
                                 f"{len(self._layers)} layers.")
            return self._layers[index]
        for layer in self._layers:
            if layer.name == name:
                return layer
        raise ValueError(f"No such layer: {name}. Existing layers are: {[layer.name for layer in self._layers]}.")

    # ----- building ----------------------------------------------------------

    @property
    def input_shape(self):
        if self._input_layer is None:
            raise AttributeError(f"Sequential model '{self.name}' has no defined input shape yet.")
        return self._input_layer.batch_shape

    @property
    def output_shape(self):
        return self.compute_output_shape(self.input_shape)

    def _build_if_possible(self):
        if self._input_layer is not None and self._layers:
            self.build(self._input_layer.batch_shape)

    def build(self, input_shape=None):
        """Builds every layer for inputs of ``input_shape`` (batch dimension included)."""
        if input_shape is None:
            if self._input_layer is None:
                raise ValueError(
                    f"You must provide an `input_shape` argument to build Sequential model '{self.name}', or "
                    "start it with kernas.Input(shape=...)."
                )
            input_shape = self._input_layer.batch_shape
        input_shape = standardize_shape(input_shape, "input_shape")
        if len(input_shape) < 1:
            raise ValueError(f"Expected an input shape with a batch dimension. Received: input_shape={input_shape}.")
        shape = (None,) + tuple(input_shape[1:])
        for layer in self._layers:
            layer.build_once(shape)
            shape = tuple(layer.compute_output_shape(shape))
        # Only a build that succeeded fixes the input shape: data of the wrong rank must not stick.
        if self._input_layer is None:
            self._input_layer = InputLayer(batch_shape=(None,) + input_shape[1:])
        self.built = True

    def compute_output_shape(self, input_shape):
        shape = tuple(input_shape)
        for layer in self._layers:
            shape = tuple(layer.compute_output_shape(shape))
        return shape

    def layer_output_shapes(self):
        """Each layer's output shape (batch dimension ``None``), aligned with ``layers``."""
        shape = (None,) + tuple(self.input_shape[1:])
        shapes = []
        for layer in self._layers:
            shape = tuple(layer.compute_output_shape(shape))
            shapes.append(shape)
        return shapes

    def _prepare_input(self, x):
        """Builds the model on first use and checks ``x`` against its input shape."""
        if not self._layers:
            raise ValueError(f"Sequential model '{self.name}' has no layers. Add layers with model.add(...).")
        if not self.built:
            # Threads predicting at once on an unbuilt model must not each build (and initialize) it.
            with self._use.first_build:
                if not self.built:
                    self.build(self._input_layer.batch_shape if self._input_layer is not None
                               else (None,) + x.shape[1:])
        expected = self._input_layer.batch_shape
        if not _compatible(expected[1:], x.shape[1:]):
            raise ValueError(
                f'Input 0 of layer "{self._layers[0].name}" is incompatible with the layer: expected '
                f"shape={expected}, found shape={x.shape}. Reshape the data so each sample has shape "
                f"{expected[1:]}, or change the model's input shape."
            )

    def _runner(self, loss, optimizer):
        return StepRunner(self._layers, loss, optimizer)

    def __call__(self, inputs, training=False):
        """Runs the model on a NumPy array and returns its outputs."""
        x = as_float32_input(inputs, "inputs")
        with self._use.changing("__call__") if training else self._use.reading("__call__"):
            self._prepare_input(x)
            if training:
                out = x
                for layer in self._layers:
                    out = layer.forward(out, True)[0]
                return out
            return self._runner(None, None).predict(x)

    # ----- weights -----------------------------------------------------------

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        if not isinstance(value, bool):
            raise ValueError(f"Expected `trainable` to be a boolean. Received: trainable={value!r}.")
        self._trainable = value
        for layer in self._layers:
            layer.trainable = value

    @property
    def weights(self):
        return [v for layer in self._layers for v in layer.weights]

    variables = weights

    @property
    def trainable_weights(self):
        return [v for layer in self._layers for v in layer.trainable_weights]

    trainable_variables = trainable_weights

    @property
    def non_trainable_weights(self):
        return [v for layer in self._layers for v in layer.non_trainable_weights]

    non_trainable_variables = non_trainable_weights

    def get_weights(self):
        """Copies of every layer's weights, in layer order (Keras's layouts)."""
        with self._use.reading("get_weights"):
            return [v.numpy() for v in self.weights]

    def set_weights(self, weights):
        """Sets all weights from a flat list shaped as ``get_weights`` returns it."""
        with self._use.changing("set_weights"):
            assign_weights(self.weights, weights, f"model '{self.name}'")

    def count_params(self):
        if not self.built:
            raise ValueError(
                f"You tried to call `count_params` on model '{self.name}', but the model isn't built. "
                "Build it first with model.build(input_shape) or by calling it on data."
            )
        return sum(layer.count_params() for layer in self._layers)

    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested=False, show_trainable=False,
                layer_range=None):
        """Prints Keras's summary table: each layer's type, output shape and parameter count."""
        from kernas.models.summary import print_summary

        print_summary(self, line_length=line_length, positions=positions, print_fn=print_fn,
                      expand_nested=expand_nested, show_trainable=show_trainable, layer_range=layer_range)

    # ----- saving ------------------------------------------------------------

    def save(self, filepath, overwrite=True, zipped=None, **kwargs):
        """Saves the model as a Keras 3 ``.keras`` file; see ``kernas.saving.save_model``."""
        from kernas.saving import save_model

        save_model(self, filepath, overwrite=overwrite, zipped=zipped, **kwargs)

    def save_weights(self, filepath, overwrite=True, max_shard_size=None):
        """Saves the weights to a Keras 3 ``.weights.h5`` file; see ``kernas.saving.save_weights``."""
        from kernas.saving import save_weights

        save_weights(self, filepath, overwrite=overwrite, max_shard_size=max_shard_size)

    def load_weights(self, filepath, skip_mismatch=False, **kwargs):
        """Loads weights from a ``.weights.h5`` or ``.keras`` file; see ``kernas.saving.load_weights``."""
        from kernas.saving import load_weights

        load_weights(self, filepath, skip_mismatch=skip_mismatch, **kwargs)

    def __reduce__(self):
        # pickle and copy.deepcopy go through the `.keras` bytes, as Keras's models do.
        from kernas.saving.keras_archive import archive_bytes
        from kernas.saving.model_loading import load_model_from_bytes

        return load_model_from_bytes, (archive_bytes(self),)

    # ----- serialization -----------------------------------------------------

    def get_config(self):
        """Keras 3's Sequential config: name, trainable, dtype and the serialized layers."""
        layers = [serialize_layer(self._input_layer)] if self._input_layer is not None else []
        layers += [serialize_layer(layer) for layer in self._layers]
        config = {"name": self.name, "trainable": self.trainable, "dtype": dict(FLOAT32_POLICY), "layers": layers}
        if self._input_layer is not None:
            config["build_input_shape"] = tuple(self._input_layer.batch_shape)
        return config

    def to_json(self, **kwargs):
        """The model's architecture and compile arguments as JSON (``kernas.models.model_from_json`` reads it).

        Args:
            **kwargs: passed to ``json.dumps`` (e.g. ``indent=2``).
        """
        from kernas.saving.model_config import model_to_json

        return model_to_json(self, **kwargs)

    @classmethod
    def from_config(cls, config):
        if not isinstance(config, dict) or not isinstance(config.get("layers"), list):
            raise ValueError(f"Expected a Sequential config with a 'layers' list. Received: {config!r}.")
        model = cls(name=config.get("name"), trainable=config.get("trainable", True))
        layers = [model._as_layer(deserialize_layer(layer_config)) for layer_config in config["layers"]]
        # One pass over the names, not one per layer: a config may list very many layers.
        seen = set()
        for layer in layers:
            if not isinstance(layer, InputLayer) and layer.name in seen:
                raise _duplicate_name(layer.name)
            seen.add(layer.name)
        for layer in layers:
            model._append(layer)
        if model._input_layer is None and config.get("build_input_shape"):
            model.build(tuple(config["build_input_shape"]))
        else:
            model._build_if_possible()
        return model

    def __repr__(self):
        return f"<Sequential name={self.name}, built={self.built}>"
