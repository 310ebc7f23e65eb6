"""load_model, model_from_json, pickling, custom objects, and Keras 3 files opening both ways."""

import copy
import json
import os
import pickle
import warnings

import numpy as np
import pytest

import kernas
from kernas import layers as kl
from kernas import losses, optimizers, saving
from kernas.models import Sequential, load_model, model_from_json
from saving_models import (conv_model, data_for, dense_model, every_layer_model, kernas_model, keras_model,
                           randomize, trained)

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "keras3")


def deterministic_model():
    """No Dropout, so that continuing a fit is a pure function of the weights and optimizer state."""
    return Sequential([kl.Input((8, 8, 2)), kl.Conv2D(4, 3, padding="same", activation="relu"),
                       kl.BatchNormalization(), kl.MaxPooling2D(), kl.Flatten(), kl.Dense(3, activation="softmax")])


def assert_same_weights(a, b):
    assert len(a) == len(b)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)


def assert_same_model(original, loaded, x):
    assert type(loaded) is type(original)
    assert loaded.get_config() == original.get_config()
    assert_same_weights(original.get_weights(), loaded.get_weights())
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), original.predict(x, verbose=0))


# ----- fixtures written by real Keras 3 (no keras needed) ---------------------------------------------------


@pytest.mark.parametrize("name", ["dense_adam", "conv_adam"])
def test_keras3_fixture_loads_and_predicts(name):
    expected = np.load(os.path.join(FIXTURES, f"{name}.npz"))
    model = load_model(os.path.join(FIXTURES, f"{name}.keras"))
    np.testing.assert_allclose(model.predict(expected["x"], verbose=0), expected["y"], rtol=0, atol=1e-5)
    assert model.compiled and isinstance(model.optimizer, optimizers.Adam)
    assert int(model.optimizer.iterations) == int(expected["iterations"])
    assert model.optimizer.get_config()["learning_rate"] == pytest.approx(0.01)
    # The optimizer's slots came from the file: they are not the zeros of a fresh optimizer.
    assert any(np.any(v.numpy() != 0) for v in model.optimizer.variables[2:])
    uncompiled = load_model(os.path.join(FIXTURES, f"{name}.keras"), compile=False)
    assert not uncompiled.compiled
    np.testing.assert_array_equal(uncompiled.predict(expected["x"], verbose=0), model.predict(expected["x"], verbose=0))


def test_keras3_fixture_trains_on():
    expected = np.load(os.path.join(FIXTURES, "conv_adam.npz"))
    model = load_model(os.path.join(FIXTURES, "conv_adam.keras"))
    y = np.eye(3, dtype=np.float32)[np.arange(len(expected["x"])) % 3]
    history = model.fit(expected["x"], y, batch_size=8, epochs=2, verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))
    assert int(model.optimizer.iterations) == int(expected["iterations"]) + 8


# ----- round trips -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("factory", [dense_model, conv_model, every_layer_model])
def test_round_trip_every_layer_type(tmp_path, factory):
    model = trained(kernas_model(factory))
    randomize(model, 1)
    x, _ = data_for(model)
    model.save(tmp_path / "m.keras")
    loaded = load_model(tmp_path / "m.keras")
    assert_same_model(model, loaded, x)
    assert loaded.get_compile_config() == model.get_compile_config()
    assert [layer.name for layer in loaded.layers] == [layer.name for layer in model.layers]


OPTIMIZERS = [
    optimizers.SGD(learning_rate=0.05),
    optimizers.SGD(learning_rate=0.05, momentum=0.9, nesterov=True),
    optimizers.Adam(learning_rate=0.01, amsgrad=True),
    optimizers.AdamW(learning_rate=0.01, weight_decay=0.01),
    optimizers.RMSprop(learning_rate=0.01, momentum=0.5, centered=True),
    optimizers.Adagrad(learning_rate=0.1),
    optimizers.Adam(learning_rate=optimizers.schedules.ExponentialDecay(0.01, decay_steps=2, decay_rate=0.5),
                    clipnorm=1.0),
]


@pytest.mark.parametrize("optimizer", OPTIMIZERS, ids=lambda o: type(o).__name__)
def test_fit_after_load_continues_bitwise(tmp_path, optimizer):
    """Stopping, saving, loading and going on gives the very bits of one uninterrupted run."""
    x, y = data_for(deterministic_model(), n=24, seed=3)
    kernas.utils.set_random_seed(5)
    straight = deterministic_model()
    straight.compile(optimizer=optimizers.deserialize(optimizers.serialize(optimizer)),
                     loss="categorical_crossentropy", metrics=["accuracy"])
    interrupted = Sequential.from_config(straight.get_config())
    interrupted.set_weights(straight.get_weights())
    interrupted.compile(optimizer=optimizers.deserialize(optimizers.serialize(optimizer)),
                        loss="categorical_crossentropy", metrics=["accuracy"])

    straight.fit(x, y, batch_size=8, epochs=4, shuffle=False, verbose=0)
    interrupted.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    interrupted.save(tmp_path / "half.keras")
    resumed = load_model(tmp_path / "half.keras")
    history = resumed.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)

    assert_same_weights(straight.get_weights(), resumed.get_weights())
    assert_same_weights([v.numpy() for v in straight.optimizer.variables],
                        [v.numpy() for v in resumed.optimizer.variables])
    assert resumed.optimizer.get_config() == straight.optimizer.get_config()
    assert np.all(np.isfinite(history.history["loss"]))


def test_file_objects_and_path_objects(tmp_path):
    import io

    model = trained(kernas_model(dense_model))
    x, _ = data_for(model)
    buffer = io.BytesIO()
    saving.save_model(model, buffer)
    buffer.seek(0)
    assert_same_model(model, load_model(buffer), x)
    model.save(str(tmp_path / "m.keras"))
    assert_same_model(model, saving.load_model(tmp_path / "m.keras"), x)


def test_unbuilt_and_uncompiled_models(tmp_path):
    model = Sequential([kl.Dense(3), kl.Dense(2)])
    with pytest.warns(UserWarning, match="not yet been built"):
        model.save(tmp_path / "unbuilt.keras")
    loaded = load_model(tmp_path / "unbuilt.keras")
    assert not loaded.built and not loaded.compiled and len(loaded.layers) == 2
    plain = kernas_model(conv_model)
    plain.save(tmp_path / "plain.keras")
    loaded = load_model(tmp_path / "plain.keras")
    assert loaded.built and not loaded.compiled
    assert_same_weights(plain.get_weights(), loaded.get_weights())


def test_json_round_trip():
    model = trained(kernas_model(conv_model))
    text = model.to_json(indent=2)
    assert text.count("\n") > 10
    clone = model_from_json(text)
    assert clone.get_config() == model.get_config()
    assert clone.compiled and clone.get_compile_config() == model.get_compile_config()
    assert [w.shape for w in clone.get_weights()] == [w.shape for w in model.get_weights()]
    assert not all(np.array_equal(a, b) for a, b in zip(clone.get_weights(), model.get_weights()))
    with pytest.raises(ValueError, match="does not parse"):
        model_from_json("{not json")
    with pytest.raises(TypeError, match="JSON string"):
        model_from_json(model.get_config())
    with pytest.raises(ValueError, match="serialized model"):
        model_from_json("[1, 2]")


# ----- pickle and deepcopy -----------------------------------------------------------------------------------


def test_pickle_and_deepcopy_go_through_the_keras_archive():
    model = trained(kernas_model(conv_model))
    x, y = data_for(model)
    for clone in (pickle.loads(pickle.dumps(model)), copy.deepcopy(model)):
        assert_same_model(model, clone, x)
        assert clone.compiled
        assert_same_weights([v.numpy() for v in model.optimizer.variables],
                            [v.numpy() for v in clone.optimizer.variables])
    clone = copy.deepcopy(model)
    clone.train_on_batch(x, y)
    assert not np.array_equal(clone.get_weights()[0], model.get_weights()[0]), "the copy shares weights"
    unbuilt = pickle.loads(pickle.dumps(Sequential([kl.Dense(2)])))
    assert not unbuilt.built


# ----- custom objects --------------------------------------------------------------------------------------


class Scale(kl.Layer):
    """A user layer (outside kernas) with a config."""

    def __init__(self, factor=2.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def call(self, inputs):
        return inputs * np.float32(self.factor)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


class DoubledMSE(losses.Loss):
    def call(self, y_true, y_pred):
        return 2.0 * np.mean((y_pred - y_true) ** 2, axis=-1)

    def gradient(self, y_true, y_pred):
        return 4.0 * (y_pred - y_true) / y_true.shape[-1]


def test_custom_objects_are_needed_and_sufficient(tmp_path):
    model = Sequential([kl.Input((4,)), kl.Dense(3), Scale(3.0)])
    model.compile(optimizer="sgd", loss=DoubledMSE())
    x = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    model.save(tmp_path / "custom.keras")
    with pytest.raises(ValueError, match=r"Unknown layer class 'Scale'.*custom_objects"):
        load_model(tmp_path / "custom.keras")
    with pytest.raises(ValueError, match="DoubledMSE"):
        load_model(tmp_path / "custom.keras", custom_objects={"Scale": Scale})
    loaded = load_model(tmp_path / "custom.keras", custom_objects={"Scale": Scale, "DoubledMSE": DoubledMSE})
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert isinstance(loaded.loss, DoubledMSE) and loaded.layers[-1].factor == 3.0
    with saving.custom_object_scope({"Scale": Scale}):
        assert isinstance(load_model(tmp_path / "custom.keras", compile=False).layers[-1], Scale)
    with pytest.raises(ValueError, match="subclass of Layer"):
        load_model(tmp_path / "custom.keras", compile=False, custom_objects={"Scale": DoubledMSE})
    with pytest.raises(TypeError, match="custom_objects"):
        load_model(tmp_path / "custom.keras", custom_objects=[Scale])


def test_registered_classes_load_without_custom_objects(tmp_path):
    @saving.register_keras_serializable(package="kernas_tests")
    class Shift(kl.Layer):
        def __init__(self, offset=1.0, **kwargs):
            super().__init__(**kwargs)
            self.offset = offset

        def call(self, inputs):
            return inputs + np.float32(self.offset)

        def get_config(self):
            return {**super().get_config(), "offset": self.offset}

    assert saving.get_registered_name(Shift) == "kernas_tests>Shift"
    assert saving.get_registered_object("kernas_tests>Shift") is Shift
    model = Sequential([kl.Input((2,)), Shift(0.5)])
    config = model.get_config()["layers"][-1]
    assert config["registered_name"] == "kernas_tests>Shift" and config["module"] == __name__
    model.save(tmp_path / "shift.keras")
    loaded = load_model(tmp_path / "shift.keras")
    assert isinstance(loaded.layers[-1], Shift) and loaded.layers[-1].offset == 0.5
    with pytest.raises(ValueError, match="already been registered"):
        saving.register_keras_serializable(package="kernas_tests", name="Shift")(Scale)
    with pytest.raises(ValueError, match="get_config"):
        saving.register_keras_serializable()(type("NoConfig", (), {}))


# ----- real Keras 3, both ways ------------------------------------------------------------------------------


def keras_trained(keras, factory):
    model = keras_model(keras, factory)
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    x, y = data_for(model)
    model.fit(x, y, batch_size=3, epochs=2, verbose=0)
    return model


@pytest.mark.parametrize("factory", [dense_model, conv_model])
def test_keras_model_opens_in_kernas(keras, tmp_path, factory):
    original = keras_trained(keras, factory)
    original.save(tmp_path / "k.keras")
    x, _ = data_for(original, seed=7)
    loaded = load_model(tmp_path / "k.keras")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), original.predict(x, verbose=0), rtol=0, atol=1e-5)
    assert int(loaded.optimizer.iterations) == int(original.optimizer.iterations)
    for ours, theirs in zip(loaded.optimizer.variables, original.optimizer.variables):
        np.testing.assert_array_equal(ours.numpy(), keras.ops.convert_to_numpy(theirs))


@pytest.mark.parametrize("factory", [dense_model, conv_model])
def test_kernas_model_opens_in_keras(keras, tmp_path, factory):
    model = trained(kernas_model(factory))
    randomize(model, 2)
    model.save(tmp_path / "ours.keras")
    x, _ = data_for(model, seed=7)
    loaded = keras.saving.load_model(tmp_path / "ours.keras")
    np.testing.assert_allclose(keras.ops.convert_to_numpy(loaded.predict(x, verbose=0)),
                               model.predict(x, verbose=0), rtol=0, atol=1e-5)
    assert isinstance(loaded.optimizer, keras.optimizers.Adam)
    assert int(loaded.optimizer.iterations) == int(model.optimizer.iterations)


def test_compile_arguments_of_every_form_round_trip(tmp_path):
    """Loss and metric functions, names and objects come back and compute the same values."""
    model = Sequential([kl.Input((4,)), kl.Dense(3, activation="softmax")])
    model.compile(optimizer=optimizers.SGD(momentum=0.5), loss=losses.categorical_crossentropy,
                  metrics=[kernas.metrics.categorical_accuracy, "mae", kernas.metrics.AUC()],
                  weighted_metrics=["accuracy"])
    x = np.random.default_rng(1).random((16, 4), dtype=np.float32)
    y = np.eye(3, dtype=np.float32)[np.arange(16) % 3]
    model.save(tmp_path / "m.keras")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loaded = load_model(tmp_path / "m.keras")
    assert loaded.get_compile_config() == model.get_compile_config()
    assert loaded.evaluate(x, y, verbose=0, return_dict=True) == model.evaluate(x, y, verbose=0, return_dict=True)


def test_model_saved_before_its_first_step_loads_quietly_and_trains_the_same(tmp_path):
    """Its optimizer had no slots yet; the loaded one's fresh slots are the very ones it would have built."""
    kernas.utils.set_random_seed(2)
    model = deterministic_model()
    model.compile(optimizer=optimizers.RMSprop(learning_rate=0.02, momentum=0.3), loss="categorical_crossentropy")
    model.save(tmp_path / "fresh.keras")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loaded = load_model(tmp_path / "fresh.keras")
    assert int(loaded.optimizer.iterations) == 0 and loaded.optimizer.built
    x, y = data_for(model, n=16)
    model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    loaded.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    assert_same_weights(model.get_weights(), loaded.get_weights())


class ScaledMSE(kernas.metrics.MeanSquaredError):
    """A user metric class (outside kernas)."""


def half_mae(y_true, y_pred):
    return 0.5 * np.mean(np.abs(y_true - y_pred), axis=-1)


def test_custom_metrics_load_through_custom_objects(tmp_path):
    """Metrics are resolved while the custom objects are in scope, not later at the first batch."""
    model = Sequential([kl.Input((4,)), kl.Dense(3)])
    model.compile(optimizer="adam", loss="mse", metrics=[ScaledMSE(name="scaled"), half_mae])
    x = np.random.default_rng(3).random((8, 4), dtype=np.float32)
    y = np.random.default_rng(4).random((8, 3), dtype=np.float32)
    expected = model.evaluate(x, y, verbose=0, return_dict=True)
    model.save(tmp_path / "metrics.keras")
    with pytest.raises(ValueError, match="Unknown metric class 'ScaledMSE'"):
        load_model(tmp_path / "metrics.keras")
    loaded = load_model(tmp_path / "metrics.keras", custom_objects={"ScaledMSE": ScaledMSE, "half_mae": half_mae})
    assert loaded.evaluate(x, y, verbose=0, return_dict=True) == expected
    assert loaded.get_compile_config() == model.get_compile_config()


def test_registered_metric_function_survives_pickling():
    @saving.register_keras_serializable(package="kernas_tests")
    def twice_mae(y_true, y_pred):
        return 2.0 * np.mean(np.abs(y_true - y_pred), axis=-1)

    model = Sequential([kl.Input((4,)), kl.Dense(3)])
    model.compile(optimizer="sgd", loss="mse", metrics=[twice_mae])
    x = np.ones((4, 4), np.float32)
    clone = pickle.loads(pickle.dumps(model))
    assert clone.evaluate(x, x[:, :3], verbose=0, return_dict=True) == model.evaluate(x, x[:, :3], verbose=0,
                                                                                   return_dict=True)


def test_a_config_of_many_layers_loads(tmp_path):
    """Layer names are checked in one pass: a long config does not load in quadratic time."""
    config = {"class_name": "Sequential", "config": {"layers": [
        {"class_name": "InputLayer", "config": {"batch_shape": [None, 4]}}] + [{"class_name": "Flatten"}] * 20000}}
    assert len(model_from_json(json.dumps(config)).layers) == 20000
    config["config"]["layers"] += [{"class_name": "Flatten", "config": {"name": "twin"}}] * 2
    with pytest.raises(ValueError, match="unique names.*'twin'"):
        model_from_json(json.dumps(config))
