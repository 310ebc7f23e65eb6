"""model.summary() text against Keras 3's (rendered by rich, captured with print_fn).

Two kinds of checks: kernas Sequential models against the same Keras
architecture (layer and model names taken from the kernas model, so
auto-generated names agree), and the table renderer alone on a stub that
mirrors a Keras model's facts, across widths, positions and console sizes
(wrapping, ellipses, column reduction, cropping).
"""

import pytest

import kernas
from kernas.models.summary import print_summary


@pytest.fixture(autouse=True)
def console_columns(monkeypatch):
    """Keras and kernas size the table from the console; fix it for both."""
    monkeypatch.setenv("COLUMNS", "120")
    return monkeypatch


def keras_text(model, **kwargs):
    captured = []
    model.summary(print_fn=lambda text, **_: captured.append(text), **kwargs)
    assert len(captured) == 1
    return captured[0]


def kernas_text(model, **kwargs):
    captured = []
    print_summary(model, print_fn=captured.append, **kwargs)
    assert len(captured) == 1
    return captured[0]


# ----- a stub mirroring a Keras model, for the renderer alone ----------------------------------------


class _Weight:
    def __init__(self, variable):
        self.shape = tuple(variable.shape)
        self.dtype = str(variable.dtype)


class _StubLayer:
    def __init__(self, layer):
        self.name = layer.name
        self.built = layer.built
        self.trainable = layer.trainable
        self.weights = [_Weight(w) for w in layer.weights]
        self._count = layer.count_params() if layer.built else 0

    def count_params(self):
        return self._count


class _StubOptimizer:
    def __init__(self, optimizer):
        self.built = optimizer.built
        self.variables = [_Weight(v) for v in optimizer.variables]


class _StubModel:
    def __init__(self, model):
        self.name = model.name
        self.built = model.built
        self.layers = [type(type(layer).__name__, (_StubLayer,), {})(layer) for layer in model.layers]
        self._shapes = [tuple(layer.output.shape) for layer in model.layers] if model.built else None
        self.trainable_weights = [_Weight(w) for w in model.trainable_weights]
        self.non_trainable_weights = [_Weight(w) for w in model.non_trainable_weights]
        self.compiled = model.compiled
        self.optimizer = _StubOptimizer(model.optimizer) if model.compiled else None

    def layer_output_shapes(self):
        return self._shapes


def _keras_cnn(keras, name="my model [x]"):
    layers = keras.layers
    return keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            layers.Conv2D(32, 3, activation="relu", name="conv2d"),
            layers.MaxPooling2D(name="max_pooling2d"),
            layers.BatchNormalization(name="batch_normalization"),
            layers.Flatten(name="flatten"),
            layers.Dropout(0.5, name="dropout"),
            layers.Dense(10, activation="softmax", name="a_very_long_layer_name_that_wraps_around"),
        ],
        name=name,
    )


RENDER_CASES = [
    {},
    {"show_trainable": True},
    {"line_length": 30},
    {"line_length": 60},
    {"line_length": 200},
    {"positions": [10, 40, 55]},
    {"positions": [0.2, 0.4, 0.5]},
    {"layer_range": ["max.*", "flat.*"]},
    {"layer_range": ["drop.*", "conv.*"]},
    {"line_length": 45, "show_trainable": True},
]


@pytest.mark.parametrize("columns", ["120", "60", "36", "20"])
@pytest.mark.parametrize("kwargs", RENDER_CASES, ids=repr)
def test_render_matches_keras(keras, console_columns, columns, kwargs):
    console_columns.setenv("COLUMNS", columns)
    model = _keras_cnn(keras)
    model.layers[0].trainable = False
    try:
        expected = keras_text(model, **kwargs)
    except ValueError as error:
        assert "Insufficient console width" in str(error)
        with pytest.raises(ValueError, match="Insufficient console width"):
            kernas_text(_StubModel(model), **kwargs)
        return
    assert kernas_text(_StubModel(model), **kwargs) == expected


def test_render_optimizer_params_and_unbuilt_layers(keras):
    model = _keras_cnn(keras, name="cnn")
    model.compile("adam", "mse")
    assert kernas_text(_StubModel(model)) == keras_text(model)  # optimizer not built yet: no line
    model.optimizer.build(model.trainable_variables)
    text = keras_text(model)
    assert " Optimizer params: " in text
    assert kernas_text(_StubModel(model)) == text

    unbuilt = keras.Sequential([keras.layers.Dense(3, name="d1"), keras.layers.Dense(2, name="d2")], name="unbuilt")
    text = keras_text(unbuilt)
    assert "0 (unbuilt)" in text
    assert kernas_text(_StubModel(unbuilt)) == text


def test_layer_range_errors():
    for layer_range, message in [(["a"], "2 layer names"), ([1, 2], "strings"), (["x", "y"], "match")]:
        with pytest.raises(ValueError, match=message):
            print_summary(_StubModelNoLayers(), layer_range=layer_range)


class _StubModelNoLayers:
    name = "empty"
    built = True
    layers = []
    trainable_weights = []
    non_trainable_weights = []

    def layer_output_shapes(self):
        return []


def test_empty_model_and_stdout(keras, capsys):
    expected = keras_text(keras.Sequential(name="empty"))
    print_summary(_StubModelNoLayers())
    assert capsys.readouterr().out == expected


# ----- kernas models against the same Keras models -------------------------------------------------------


def _kernas_layers():
    layers = kernas.layers
    if not all(hasattr(layers, n) for n in ("Dense", "Conv2D", "MaxPooling2D", "Flatten", "Dropout")):
        pytest.skip("kernas.layers does not provide the layers of this model yet")
    return layers


def _keras_twin(keras, model):
    """The same architecture in Keras, with the kernas model's layer and model names."""
    twins = [keras.Input(model.input_shape[1:])] if model.built else []
    for layer in model.layers:
        config = dict(layer.get_config())
        config["name"] = layer.name
        twins.append(getattr(keras.layers, type(layer).__name__).from_config(config))
    return keras.Sequential(twins, name=model.name)


def _kernas_models():
    layers = _kernas_layers()
    from kernas.models import Sequential

    mlp = Sequential([layers.Input((784,)), layers.Dense(128, activation="relu"), layers.Dropout(0.2),
                      layers.Dense(10, activation="softmax")])
    cnn = Sequential([layers.Input((28, 28, 1)), layers.Conv2D(32, 3, activation="relu"), layers.MaxPooling2D(),
                      layers.Conv2D(64, (3, 3), padding="same"), layers.Flatten(), layers.Dense(10)], name="cnn")
    models = [mlp, cnn]
    if hasattr(layers, "BatchNormalization"):
        models.append(Sequential([layers.Input((12,)), layers.Dense(8), layers.BatchNormalization(),
                                  layers.Dense(1, name="a_really_quite_long_output_layer_name")]))
    return models


@pytest.mark.parametrize("kwargs", [{}, {"show_trainable": True}, {"line_length": 50}], ids=repr)
def test_kernas_sequential_matches_keras(keras, kwargs):
    for model in _kernas_models():
        assert kernas_text(model, **kwargs) == keras_text(_keras_twin(keras, model), **kwargs)
        # Model.summary goes through the same printer.
        captured = []
        model.summary(print_fn=captured.append, **kwargs)
        assert captured == [kernas_text(model, **kwargs)]


def test_kernas_compiled_model_shows_optimizer_params(keras):
    model = _kernas_models()[0]
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    model.optimizer.build(model.trainable_weights)
    twin = _keras_twin(keras, model)
    twin.compile(optimizer="adam", loss="categorical_crossentropy")
    twin.optimizer.build(twin.trainable_variables)
    text = kernas_text(model)
    assert " Optimizer params: " in text
    assert text == keras_text(twin)


def test_kernas_unbuilt_model_matches_keras(keras):
    layers = _kernas_layers()
    from kernas.models import Sequential

    model = Sequential([layers.Dense(4), layers.Dense(2)], name="later")
    assert kernas_text(model) == keras_text(_keras_twin(keras, model))
    model.build((None, 3))
    assert kernas_text(model) == keras_text(_keras_twin(keras, model))
