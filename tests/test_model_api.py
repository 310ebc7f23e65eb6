"""Sequential's Keras API: structure, the three user scripts of the issue, fit semantics and errors."""

import numpy as np
import pytest

import kernas
from kernas import layers
from kernas.models import Sequential


def _binary_data(rng, samples=64):
    x = rng.normal(size=(samples, 100)).astype(np.float32)
    return x, (x[:, :5].sum(axis=1) > 0).astype(np.float32)


# ----- the scripts of the issue, imports changed, on small synthetic data -------------------


def test_script_dense_binary(rng):
    x_train, y_train = _binary_data(rng, 1024)
    x_test, y_test = _binary_data(rng, 256)
    model = Sequential()
    model.add(layers.Dense(units=64, activation="relu", input_dim=100))
    model.add(layers.Dense(units=1, activation="sigmoid"))
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x_train, y_train, epochs=10, batch_size=32, verbose=0)
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert accuracy > 0.85 and 0 < loss < 0.4  # real Keras reaches about 0.9 / 0.27 here


def test_script_convnet(rng):
    x_train = rng.uniform(size=(64, 28, 28, 1)).astype(np.float32)
    labels = (x_train[:, :14].mean(axis=(1, 2, 3)) > x_train[:, 14:].mean(axis=(1, 2, 3))).astype(int)
    y_train = kernas.utils.to_categorical(labels, 10)
    model = Sequential()
    model.add(layers.Conv2D(filters=32, kernel_size=(3, 3), activation="relu", input_shape=(28, 28, 1)))
    model.add(layers.MaxPooling2D(pool_size=(2, 2)))
    model.add(layers.Flatten())
    model.add(layers.Dense(units=128, activation="relu"))
    model.add(layers.Dense(units=10, activation="softmax"))
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=3, batch_size=32, verbose=0)
    loss, accuracy = model.evaluate(x_train, y_train, verbose=0)
    assert np.isfinite(loss) and 0.0 <= accuracy <= 1.0
    assert model.predict(x_train[:5], verbose=0).shape == (5, 10)


def _mnist_like(rng, samples):
    x = rng.integers(0, 256, size=(samples, 28, 28), dtype=np.uint8)
    return x, (x[:, 10:18, 10:18].mean(axis=(1, 2)) > 127.5).astype(np.uint8)


def test_script_mnist_integer_labels_stop_at_once_naming_both_fixes(rng):
    trainX, trainy = _mnist_like(rng, 96)
    model = Sequential()
    model.add(layers.Flatten(input_shape=(28, 28)))
    model.add(layers.Dense(128, activation="relu"))
    model.add(layers.Dense(10, activation="softmax"))
    model.compile(optimizer=kernas.optimizers.SGD(), loss="categorical_crossentropy", metrics=["accuracy"])
    before = model.get_weights()
    with pytest.raises(ValueError) as error:
        model.fit(trainX, trainy, epochs=10, batch_size=32, verbose=1)
    assert "kernas.utils.to_categorical" in str(error.value)
    assert "sparse_categorical_crossentropy" in str(error.value)
    for a, b in zip(before, model.get_weights()):
        assert np.array_equal(a, b), "no step may run before the error"


@pytest.mark.parametrize("fix", ["to_categorical", "sparse"])
def test_script_mnist_runs_with_either_fix(rng, fix):
    (trainX, trainy), (testX, testy) = _mnist_like(rng, 96), _mnist_like(rng, 32)
    model = Sequential()
    model.add(layers.Flatten(input_shape=(28, 28)))
    model.add(layers.Dense(128, activation="relu"))
    model.add(layers.Dense(10, activation="softmax"))
    loss = "sparse_categorical_crossentropy" if fix == "sparse" else "categorical_crossentropy"
    if fix == "to_categorical":
        trainy, testy = kernas.utils.to_categorical(trainy, 10), kernas.utils.to_categorical(testy, 10)
    model.compile(optimizer=kernas.optimizers.SGD(), loss=loss, metrics=["accuracy"])
    history = model.fit(trainX / 255.0, trainy, epochs=2, batch_size=32, verbose=0)
    test_loss, test_acc = model.evaluate(testX / 255.0, testy, verbose=0)
    assert len(history.history["loss"]) == 2 and np.isfinite(test_loss) and 0 <= test_acc <= 1


def test_keras3_spelling_input_and_list_constructor(rng):
    model = kernas.Sequential([kernas.Input(shape=(100,)), layers.Dense(8, activation="relu"), layers.Dense(1)])
    assert model.built and [type(layer).__name__ for layer in model.layers] == ["Dense", "Dense"]
    assert model.count_params() == 100 * 8 + 8 + 8 + 1
    x = rng.normal(size=(3, 100))
    np.testing.assert_allclose(model(x), model.predict(x, verbose=0), rtol=1e-6)


# ----- structure --------------------------------------------------------------------------


def test_add_pop_build_and_weights(rng):
    model = Sequential(name="stack")
    model.add(layers.Dense(4, input_shape=(3,)))
    model.add(layers.Dense(2))
    assert model.built and model.output_shape == (None, 2)
    popped = model.pop()
    assert popped.units == 2 and model.output_shape == (None, 4)
    model.add(layers.Dense(5))
    weights = [rng.normal(size=w.shape).astype(np.float32) for w in model.get_weights()]
    model.set_weights(weights)
    for got, want in zip(model.get_weights(), weights):
        assert np.array_equal(got, want)
    with pytest.raises(ValueError, match="expecting 4 weights"):
        model.set_weights(weights[:2])
    with pytest.raises(ValueError, match="not compatible"):
        model.set_weights([w.T for w in weights])


def test_deferred_build_from_data(rng):
    model = Sequential([layers.Dense(3)])
    assert not model.built
    out = model.predict(rng.normal(size=(4, 6)), verbose=0)
    assert out.shape == (4, 3) and model.built and model.layers[0].kernel.shape == (6, 3)


def test_a_failed_first_build_does_not_fix_the_input_shape(rng):
    model = Sequential([layers.Conv2D(2, 3), layers.Flatten(), layers.Dense(3)])
    with pytest.raises(ValueError, match="ndim"):
        model.predict(rng.normal(size=(4, 6)), verbose=0)
    assert model.predict(rng.normal(size=(4, 6, 6, 1)), verbose=0).shape == (4, 3)
    assert model.input_shape == (None, 6, 6, 1)


def test_duplicate_layer_names_are_refused():
    model = Sequential([layers.Dense(2, name="a")])
    with pytest.raises(ValueError, match="unique names"):
        model.add(layers.Dense(2, name="a"))


def test_non_layer_is_refused():
    with pytest.raises(TypeError, match="Only instances"):
        Sequential([np.zeros(3)])


def test_get_config_round_trip(rng):
    model = kernas.Sequential([kernas.Input(shape=(5,)), layers.Dense(3, activation="tanh"), layers.Dense(2)])
    clone = kernas.Sequential.from_config(model.get_config())
    assert [layer.get_config() for layer in clone.layers] == [layer.get_config() for layer in model.layers]
    clone.set_weights(model.get_weights())
    x = rng.normal(size=(4, 5))
    np.testing.assert_array_equal(clone.predict(x, verbose=0), model.predict(x, verbose=0))


def test_config_matches_keras(keras):
    ours = kernas.Sequential([kernas.Input(shape=(5,)), layers.Dense(3, activation="relu"), layers.Dense(2)])
    theirs = keras.Sequential([keras.Input(shape=(5,)), keras.layers.Dense(3, activation="relu"),
                               keras.layers.Dense(2)])

    def strip_names(config):
        config = dict(config)
        config.pop("name", None)
        config["layers"] = [{**entry, "config": {k: v for k, v in entry["config"].items() if k != "name"}}
                            for entry in config["layers"]]
        return config

    assert strip_names(ours.get_config()) == strip_names(theirs.get_config())


def test_frozen_layer_is_not_updated(rng):
    model = kernas.Sequential([kernas.Input(shape=(4,)), layers.Dense(3, activation="relu"), layers.Dense(2)])
    model.layers[0].trainable = False
    frozen = model.layers[0].get_weights()
    model.compile(optimizer="sgd", loss="mse")
    model.fit(rng.normal(size=(16, 4)), rng.normal(size=(16, 2)), verbose=0)
    for a, b in zip(frozen, model.layers[0].get_weights()):
        assert np.array_equal(a, b)
    assert len(model.trainable_weights) == 2 and len(model.non_trainable_weights) == 2


# ----- fit semantics ----------------------------------------------------------------------


def _regression(rng, samples=40):
    x = rng.normal(size=(samples, 3)).astype(np.float32)
    return x, (x @ np.array([[1.0], [-2.0], [0.5]])).astype(np.float32)


def _linear_model(seed=0):
    kernas.utils.set_random_seed(seed)
    model = kernas.Sequential([kernas.Input(shape=(3,)), layers.Dense(1)])
    model.compile(optimizer=kernas.optimizers.SGD(0.05), loss="mse", metrics=["mae"])
    return model


def test_history_and_logs(rng):
    x, y = _regression(rng)
    history = _linear_model().fit(x, y, epochs=3, batch_size=8, verbose=0)
    assert history.epoch == [0, 1, 2] and sorted(history.history) == ["loss", "mae"]
    assert history.history["loss"][2] < history.history["loss"][0]


def test_validation_split_takes_the_last_fraction_before_shuffling(rng):
    x, y = _regression(rng)
    model = _linear_model()
    captured = {}

    class Capture(kernas.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            captured["weights"] = self.model.get_weights()
            captured["logs"] = dict(logs)

    model.fit(x, y, epochs=1, batch_size=8, validation_split=0.25, verbose=0, callbacks=[Capture()])
    check = _linear_model()
    check.set_weights(captured["weights"])
    val = check.evaluate(x[30:], y[30:], verbose=0, return_dict=True)
    assert captured["logs"]["val_loss"] == pytest.approx(val["loss"], rel=1e-6)
    assert captured["logs"]["val_mae"] == pytest.approx(val["mae"], rel=1e-6)


def test_validation_data_and_freq(rng):
    x, y = _regression(rng)
    history = _linear_model().fit(x, y, epochs=4, validation_data=(x[:8], y[:8]), validation_freq=2, verbose=0)
    assert len(history.history["loss"]) == 4 and len(history.history["val_loss"]) == 2


def test_class_weight_equals_sample_weight(rng):
    x = rng.normal(size=(32, 4)).astype(np.float32)
    labels = rng.integers(0, 3, size=32)
    y = kernas.utils.to_categorical(labels, 3)

    def run(**kwargs):
        kernas.utils.set_random_seed(3)
        model = kernas.Sequential([kernas.Input(shape=(4,)), layers.Dense(3, activation="softmax")])
        model.compile(optimizer="sgd", loss="categorical_crossentropy")
        model.fit(x, y, epochs=2, batch_size=8, verbose=0, **kwargs)
        return model.get_weights()

    weights = {0: 1.0, 1: 3.0, 2: 0.5}
    by_class = run(class_weight=weights)
    by_sample = run(sample_weight=np.array([weights[c] for c in labels]))
    for a, b in zip(by_class, by_sample):
        assert np.array_equal(a, b)
    assert not np.array_equal(run()[0], by_class[0])


def test_initial_epoch_and_steps_per_epoch(rng):
    x, y = _regression(rng)
    history = _linear_model().fit(x, y, epochs=5, initial_epoch=3, verbose=0)
    assert history.epoch == [3, 4]
    model = _linear_model()
    steps = []

    class Count(kernas.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            steps.append(batch)

    model.fit(x, y, epochs=2, batch_size=8, steps_per_epoch=2, verbose=0, callbacks=[Count()])
    assert steps == [0, 1, 0, 1] and model.optimizer.iterations == 4


def test_shuffle_false_is_deterministic_and_shuffle_true_changes_order(rng):
    x, y = _regression(rng)
    a, b, c = _linear_model(), _linear_model(), _linear_model()
    a.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    b.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    kernas.utils.set_random_seed(11)
    c.fit(x, y, epochs=2, batch_size=8, shuffle=True, verbose=0)
    assert np.array_equal(a.get_weights()[0], b.get_weights()[0])
    assert not np.array_equal(a.get_weights()[0], c.get_weights()[0])


def test_evaluate_return_forms(rng):
    x, y = _regression(rng)
    model = _linear_model()
    loss, mae = model.evaluate(x, y, verbose=0)
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    assert logs == {"loss": loss, "mae": mae}
    plain = kernas.Sequential([kernas.Input(shape=(3,)), layers.Dense(1)])
    plain.compile(optimizer="sgd", loss="mse")
    assert isinstance(plain.evaluate(x, y, verbose=0), float)


def test_on_batch_methods(rng):
    x, y = _regression(rng, 8)
    model = _linear_model()
    first = model.train_on_batch(x, y)
    assert isinstance(first, list) and len(first) == 2
    assert model.optimizer.iterations == 1
    test = model.test_on_batch(x, y, return_dict=True)
    assert set(test) == {"loss", "mae"}
    np.testing.assert_array_equal(model.predict_on_batch(x), model.predict(x, verbose=0))


def test_sample_weight_zero_ignores_samples(rng):
    x, y = _regression(rng, 16)
    weights = np.r_[np.ones(8), np.zeros(8)]
    a, b = _linear_model(), _linear_model()
    a.fit(x, y, sample_weight=weights, batch_size=16, epochs=1, verbose=0, shuffle=False)
    y_noise = y.copy()
    y_noise[8:] += 100.0
    b.fit(x, y_noise, sample_weight=weights, batch_size=16, epochs=1, verbose=0, shuffle=False)
    np.testing.assert_array_equal(a.get_weights()[0], b.get_weights()[0])


# ----- progress output --------------------------------------------------------------------


def test_fit_output_without_a_terminal_is_one_line_per_epoch(rng, capsys):
    x, y = _regression(rng)
    _linear_model().fit(x, y, epochs=2, batch_size=8, verbose=1)
    out = capsys.readouterr().out
    assert "\r" not in out and "\x1b" not in out
    lines = out.splitlines()
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2" and len(lines) == 4
    assert lines[1].startswith("5/5 ") and " - loss: " in lines[1] and " - mae: " in lines[1]


def test_fit_verbose_2(rng, capsys):
    x, y = _regression(rng)
    _linear_model().fit(x, y, epochs=1, batch_size=8, verbose=2)
    lines = capsys.readouterr().out.splitlines()
    # Keras prints no "Epoch 1/1" header for a single epoch.
    assert len(lines) == 1 and lines[0].startswith("5/5 - ") and "━" not in lines[0]


def test_verbose_0_prints_nothing(rng, capsys):
    x, y = _regression(rng)
    model = _linear_model()
    model.fit(x, y, verbose=0)
    model.evaluate(x, y, verbose=0)
    model.predict(x, verbose=0)
    assert capsys.readouterr().out == ""


# ----- errors -----------------------------------------------------------------------------


def test_fit_before_compile(rng):
    model = kernas.Sequential([kernas.Input(shape=(3,)), layers.Dense(1)])
    with pytest.raises(RuntimeError, match="compile"):
        model.fit(*_regression(rng), verbose=0)


def test_x_y_length_mismatch(rng):
    x, y = _regression(rng)
    with pytest.raises(ValueError, match="Data cardinality is ambiguous"):
        _linear_model().fit(x, y[:-1], verbose=0)


def test_input_shape_mismatch_names_expected_and_received(rng):
    with pytest.raises(ValueError, match=r"expected shape=\(None, 3\), found shape=\(4, 5\)"):
        _linear_model().predict(rng.normal(size=(4, 5)), verbose=0)


@pytest.mark.parametrize("argument, value", [("optimizer", "adamax_typo"), ("loss", "categorical_crossentropyy")])
def test_unknown_compile_strings(argument, value):
    model = kernas.Sequential([kernas.Input(shape=(3,)), layers.Dense(1)])
    kwargs = {"optimizer": "sgd", "loss": "mse", argument: value}
    with pytest.raises(ValueError, match=value):
        model.compile(**kwargs)


def test_unknown_activation():
    with pytest.raises(ValueError, match="relux"):
        layers.Dense(3, activation="relux")


def test_non_numeric_input():
    model = _linear_model()
    with pytest.raises(TypeError, match="numbers"):
        model.predict(np.array([["a", "b", "c"]]), verbose=0)


def test_sparse_labels_out_of_range_hint_one_indexed(rng):
    model = kernas.Sequential([kernas.Input(shape=(4,)), layers.Dense(3, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    x = rng.normal(size=(6, 4))
    with pytest.raises(ValueError, match="1-indexed|subtract 1"):
        model.fit(x, np.array([1, 2, 3, 1, 2, 3]), verbose=0)
    with pytest.raises(ValueError, match="7"):
        model.fit(x, np.array([0, 7, 1, 1, 2, 0]), verbose=0)


def test_compile_config_matches_keras(keras):
    import json

    def compiled(lib):
        model = lib.Sequential([lib.Input(shape=(3,)), lib.layers.Dense(2, activation="softmax")])
        model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
        return json.loads(json.dumps(model.get_compile_config()))

    ours, theirs = compiled(kernas), compiled(keras)
    for config in (ours, theirs):
        config.pop("optimizer")  # a name string in both; Keras's torch backend names its own module
    assert ours == theirs
    assert kernas.Sequential([layers.Dense(1)]).get_compile_config() == {}


# ----- callbacks on a real model ------------------------------------------------------------


def test_callbacks_drive_a_real_fit(rng, tmp_path):
    x, y = _regression(rng)
    model = _linear_model()
    weights_by_epoch = []
    callbacks = [
        kernas.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: weights_by_epoch.append(model.get_weights())),
        kernas.callbacks.ModelCheckpoint(str(tmp_path / "w{epoch:02d}.weights.h5"), save_weights_only=True),
        kernas.callbacks.ModelCheckpoint(str(tmp_path / "best.keras"), monitor="loss", save_best_only=True),
        kernas.callbacks.CSVLogger(str(tmp_path / "log.csv")),
        kernas.callbacks.ReduceLROnPlateau(monitor="loss", patience=0, factor=0.5, min_delta=10.0),
    ]
    history = model.fit(x, y, epochs=3, batch_size=8, verbose=0, callbacks=callbacks)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["best.keras", "log.csv", "w01.weights.h5",
                                                          "w02.weights.h5", "w03.weights.h5"]
    reloaded = _linear_model(seed=99)
    reloaded.load_weights(str(tmp_path / "w02.weights.h5"))
    for a, b in zip(reloaded.get_weights(), weights_by_epoch[1]):
        assert np.array_equal(a, b)
    # Logged before the reduction; the first epoch is an improvement over nothing, as in Keras.
    assert history.history["learning_rate"] == pytest.approx([0.05, 0.05, 0.025])
    assert model.optimizer.learning_rate == pytest.approx(0.0125)
    # As Keras: the logger runs before ReduceLROnPlateau adds learning_rate, and reserves val_ columns.
    assert (tmp_path / "log.csv").read_text().splitlines()[0] == "epoch,loss,mae,val_loss,val_mae"


def test_early_stopping_restores_the_best_weights(rng):
    x, y = _regression(rng)
    model = _linear_model()
    model.optimizer.learning_rate = 1.2  # diverges after the first epochs
    seen = []
    stopper = kernas.callbacks.EarlyStopping(monitor="loss", patience=1, restore_best_weights=True)
    record = kernas.callbacks.LambdaCallback(on_epoch_end=lambda e, logs: seen.append((logs["loss"],
                                                                                      model.get_weights())))
    history = model.fit(x, y, epochs=50, batch_size=40, verbose=0, callbacks=[record, stopper])
    assert len(history.epoch) < 50
    best_loss, best_weights = min(seen, key=lambda item: item[0])
    for a, b in zip(model.get_weights(), best_weights):
        assert np.array_equal(a, b)


def test_terminate_on_nan_stops_a_diverging_run(rng, capsys):
    x, y = _regression(rng)
    model = _linear_model()
    model.optimizer.learning_rate = 1e3
    history = model.fit(x * 1e3, y, epochs=20, batch_size=8, verbose=0,
                        callbacks=[kernas.callbacks.TerminateOnNaN()])
    assert len(history.epoch) < 20
    assert "NaN" in capsys.readouterr().out or not np.isfinite(history.history["loss"][-1])


# ----- custom layers and base classes ----------------------------------------------------


class _Doubling(layers.Layer):
    def call(self, inputs, training=None):
        return inputs * 2.0


def test_custom_call_layer_predicts_and_fit_refuses_it_clearly(rng):
    model = kernas.Sequential([kernas.Input(shape=(3,)), layers.Dense(2), _Doubling()])
    x = rng.normal(size=(4, 3)).astype(np.float32)
    np.testing.assert_allclose(model.predict(x, verbose=0), 2.0 * model.layers[0](x), rtol=1e-6)
    model.compile(optimizer="sgd", loss="mse")
    before = model.get_weights()
    with pytest.raises(TypeError, match="_Doubling.*has no backward"):
        model.fit(x, np.zeros((4, 2)), verbose=0)
    for a, b in zip(before, model.get_weights()):
        assert np.array_equal(a, b)


def test_layer_without_call_or_forward_is_refused():
    class Empty(layers.Layer):
        pass

    with pytest.raises(TypeError, match="neither `call"):
        Empty()(np.zeros((1, 2)))


@pytest.mark.parametrize("base", [kernas.losses.Loss, kernas.metrics.Metric, kernas.regularizers.Regularizer])
def test_incomplete_subclasses_of_abstract_bases_are_refused(base):
    class Incomplete(base):
        pass

    with pytest.raises(TypeError, match="abstract"):
        Incomplete()


def test_custom_layer_whose_call_takes_no_training_argument(rng):
    class Halving(layers.Layer):
        def call(self, inputs):
            return inputs / 2.0

    x = rng.normal(size=(3, 4)).astype(np.float32)
    np.testing.assert_array_equal(Halving()(x), x / 2.0)
    model = kernas.Sequential([kernas.Input(shape=(4,)), Halving()])
    np.testing.assert_array_equal(model.predict(x, verbose=0), x / 2.0)


def test_activity_regularizer_on_a_softmax_output_sees_probabilities(rng):
    model = kernas.Sequential([kernas.Input(shape=(4,)), layers.Dense(3, activation="softmax",
                                                                      activity_regularizer=kernas.regularizers.L2(1.0))])
    model.compile(optimizer=kernas.optimizers.SGD(0.0), loss="categorical_crossentropy")
    x = rng.normal(size=(8, 4)).astype(np.float32)
    y = kernas.utils.to_categorical(rng.integers(0, 3, 8), 3)
    assert model.train_on_batch(x, y) == pytest.approx(model.test_on_batch(x, y), rel=1e-6)


def test_flatten_an_empty_batch():
    assert layers.Flatten()(np.zeros((0, 3, 4))).shape == (0, 12)


# ----- robustness (issue 7): class_weight and sample_weight junk ---------------------------------------

def _tiny_compiled():
    model = Sequential([kernas.Input(shape=(4,)), layers.Dense(3, activation="softmax")])
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    return model


@pytest.mark.parametrize("class_weight, message", [
    ({"a": 1.0}, "keys to be integer class indices"),  # before: "invalid literal for int()"
    ({None: 1.0}, "keys to be integer class indices"),  # before: int() TypeError
    ({0.5: 1.0}, "keys to be integer class indices"),  # before: silently weighted class 0
    ({0: float("nan")}, "finite in float32"),  # before: a NaN loss and NaN weights
    ({0: 1e40}, "finite in float32"),  # before: an inf loss
    ({0: "x"}, "finite in float32"),  # before: "could not convert string to float"
    ({0: None}, "finite in float32"),
])
def test_class_weight_junk_is_refused_before_any_step(rng, class_weight, message):
    model = _tiny_compiled()
    x, y = rng.normal(size=(6, 4)), np.eye(3)[[0, 1, 2, 0, 1, 2]]
    initial = model.get_weights()
    for call in (lambda: model.fit(x, y, class_weight=class_weight, verbose=0),
                 lambda: model.train_on_batch(x, y, class_weight=class_weight)):
        with pytest.raises(ValueError, match=message):
            call()
    for before, after in zip(initial, model.get_weights()):
        np.testing.assert_array_equal(before, after)


def test_class_weight_keys_may_be_whole_floats_and_missing_classes_weigh_one(rng):
    x, y = rng.normal(size=(6, 4)).astype(np.float32), np.eye(3)[[0, 1, 2, 0, 1, 2]]
    by_float, by_int = _tiny_compiled(), _tiny_compiled()
    by_int.set_weights(by_float.get_weights())
    a = by_float.train_on_batch(x, y, class_weight={1.0: 2.0})
    b = by_int.train_on_batch(x, y, class_weight={1: 2.0, 0: 1.0, 7: 5.0})
    assert a == b


def test_scalar_sample_weight_is_refused_with_the_fix(rng):
    # Before: IndexError "tuple index out of range".
    model = _tiny_compiled()
    with pytest.raises(ValueError, match=r"Expected `sample_weight` to hold one weight per sample.*np.full"):
        model.fit(rng.normal(size=(6, 4)), np.eye(3)[[0, 1, 2, 0, 1, 2]], sample_weight=1.0, verbose=0)
