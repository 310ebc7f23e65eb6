"""Whole-model training: kernas against the NumPy reference and against real Keras 3."""

import numpy as np
import pytest

import kernas
from kernas.layers import Conv2D, Dense, Flatten, MaxPooling2D
from reference import model as ref_model


def _one_hot(labels, classes):
    return np.eye(classes, dtype=np.float32)[labels]


def _dense_data(rng, samples=96):
    x = rng.normal(size=(samples, 20)).astype(np.float32)
    labels = (x[:, :3] @ np.array([1.0, -1.0, 0.5]) > 0).astype(int) + (x[:, 3] > 0.8).astype(int)
    return x, _one_hot(labels, 3)


def _conv_data(rng, samples=40):
    x = rng.uniform(size=(samples, 9, 9, 2)).astype(np.float32)
    labels = (x[:, :4, :4, 0].mean(axis=(1, 2)) > x[:, 4:, 4:, 1].mean(axis=(1, 2))).astype(int)
    return x, _one_hot(labels + (x[:, 0, 0, 0] > 0.7), 3)


def _dense_model():
    return kernas.Sequential([kernas.Input(shape=(20,)), Dense(16, activation="relu"), Dense(3, activation="softmax")])


def _conv_model():
    return kernas.Sequential([
        kernas.Input(shape=(9, 9, 2)),
        Conv2D(4, (3, 3), activation="relu"),
        MaxPooling2D((2, 2)),
        Flatten(),
        Dense(3, activation="softmax"),
    ])


DENSE_SPEC = [("dense", "relu"), ("dense", "softmax")]
CONV_SPEC = [("conv2d", "relu"), ("maxpool", 2), ("flatten",), ("dense", "softmax")]
OPTIMIZERS = [("sgd", {"learning_rate": 0.1}), ("adam", {"learning_rate": 0.01})]


def _optimizer(name, hyperparameters):
    return kernas.optimizers.SGD(**hyperparameters) if name == "sgd" else kernas.optimizers.Adam(**hyperparameters)


@pytest.mark.parametrize("optimizer, hyperparameters", OPTIMIZERS)
@pytest.mark.parametrize("case", ["dense", "conv"])
def test_training_matches_numpy_reference(case, optimizer, hyperparameters, rng):
    x, y = _dense_data(rng) if case == "dense" else _conv_data(rng)
    model = _dense_model() if case == "dense" else _conv_model()
    spec = DENSE_SPEC if case == "dense" else CONV_SPEC
    initial = model.get_weights()
    model.compile(optimizer=_optimizer(optimizer, hyperparameters), loss="categorical_crossentropy")
    history = model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    expected, batch_losses = ref_model.train_epoch(spec, initial, x, y, 8, optimizer, **hyperparameters)
    for got, want in zip(model.get_weights(), expected):
        np.testing.assert_allclose(got, want, rtol=2e-4, atol=2e-5)
    batch_sizes = np.diff(np.r_[0:len(x):8, len(x)])
    np.testing.assert_allclose(history.history["loss"][0], np.average(batch_losses, weights=batch_sizes), rtol=1e-5)
    assert not np.allclose(model.get_weights()[0], initial[0]), "training must change the weights"


def _keras_twin(keras, model):
    layers = []
    for layer in model.layers:
        config = layer.get_config()
        config.pop("name")
        layers.append(getattr(keras.layers, type(layer).__name__).from_config(config))
    twin = keras.Sequential([keras.Input(shape=model.input_shape[1:])] + layers)
    twin.set_weights(model.get_weights())
    return twin


@pytest.mark.parametrize("optimizer, hyperparameters", OPTIMIZERS)
@pytest.mark.parametrize("case", ["dense", "conv"])
def test_training_matches_keras(keras, case, optimizer, hyperparameters, rng):
    x, y = _dense_data(rng) if case == "dense" else _conv_data(rng)
    model = _dense_model() if case == "dense" else _conv_model()
    twin = _keras_twin(keras, model)
    model.compile(optimizer=_optimizer(optimizer, hyperparameters), loss="categorical_crossentropy",
                  metrics=["accuracy"])
    keras_optimizer = getattr(keras.optimizers, "SGD" if optimizer == "sgd" else "Adam")(**hyperparameters)
    twin.compile(optimizer=keras_optimizer, loss="categorical_crossentropy", metrics=["accuracy"])
    ours = model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0).history
    theirs = twin.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0).history
    for got, want in zip(model.get_weights(), twin.get_weights()):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)
    assert ours.keys() == theirs.keys()
    np.testing.assert_allclose(ours["loss"], theirs["loss"], rtol=1e-5)
    np.testing.assert_allclose(ours["accuracy"], theirs["accuracy"])
    np.testing.assert_allclose(model.predict(x, verbose=0), twin.predict(x, verbose=0), rtol=1e-4, atol=1e-6)
    ours_eval = model.evaluate(x, y, verbose=0, return_dict=True)
    theirs_eval = twin.evaluate(x, y, verbose=0, return_dict=True)
    assert ours_eval.keys() == theirs_eval.keys()
    np.testing.assert_allclose(list(ours_eval.values()), list(theirs_eval.values()), rtol=1e-5)


def test_same_seed_gives_identical_weights_for_any_thread_count(restore_threads, rng):
    x, y = _conv_data(rng, samples=64)
    results = []
    for threads in (1, 2, 1):
        kernas.config.set_num_threads(threads)
        kernas.utils.set_random_seed(7)
        model = kernas.Sequential([
            kernas.Input(shape=(9, 9, 2)), Conv2D(8, 3, activation="relu"), MaxPooling2D(), Flatten(),
            kernas.layers.Dropout(0.3), Dense(3, activation="softmax"),
        ])
        model.compile(optimizer="adam", loss="categorical_crossentropy")
        model.fit(x, y, batch_size=16, epochs=2, verbose=0)
        results.append(model.get_weights())
    for other in results[1:]:
        for a, b in zip(results[0], other):
            assert np.array_equal(a, b)
    kernas.utils.set_random_seed(8)
    different = kernas.Sequential([kernas.Input(shape=(9, 9, 2)), Conv2D(8, 3)])
    assert not np.array_equal(different.get_weights()[0], results[0][0])
