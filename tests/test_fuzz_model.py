"""Property-based fuzzing of the model-level API: compile, fit, evaluate, predict and the ``*_on_batch`` calls.

Every generated case either works, with the right output shapes and values
that agree with the NumPy reference (tests/reference/model.py), or raises a
ValueError/TypeError that says what was expected (``assert_informative``).
Any other exception, a crash or a hang fails the run. Models and arrays are
tiny so that CI's fixed budget stays a few seconds per test.
"""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kernas
from fuzz_checks import refused as _refused
from fuzz_strategies import arrays_of_any_dtype, awkward_views, rarely
from kernas.layers import Conv2D, Dense, Flatten, MaxPooling2D
from reference import model as ref_model

pytestmark = pytest.mark.fuzz

NAN, INF = float("nan"), float("inf")
CLASSES = 3
DENSE_SPEC = [("dense", "relu"), ("dense", "softmax")]
CONV_SPEC = [("conv2d", "relu"), ("maxpool", 2), ("flatten",), ("dense", "softmax")]
INPUT_SHAPES = {"dense": (4,), "conv": (5, 5, 2)}


def _model(kind="dense"):
    if kind == "dense":
        layers = [kernas.Input(shape=(4,)), Dense(5, activation="relu"), Dense(CLASSES, activation="softmax")]
    else:
        layers = [kernas.Input(shape=(5, 5, 2)), Conv2D(2, (3, 3), activation="relu"), MaxPooling2D((2, 2)),
                  Flatten(), Dense(CLASSES, activation="softmax")]
    return kernas.Sequential(layers)


def _reference_predict(kind, weights, x):
    spec = DENSE_SPEC if kind == "dense" else CONV_SPEC
    return ref_model._forward(spec, [np.asarray(w, np.float64) for w in weights], np.asarray(x, np.float64))[0]




def _data(seed, samples, kind="dense"):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((samples,) + INPUT_SHAPES[kind]).astype(np.float32)
    labels = rng.integers(0, CLASSES, samples)
    return x, labels, np.eye(CLASSES, dtype=np.float32)[labels]


# ----- compile ------------------------------------------------------------------------------------------

OPTIMIZER_NAMES = ("sgd", "adam", "adamw", "rmsprop", "adagrad", "SGD", "Adam", "RMSprop", "ADAGRAD")
JUNK_NAMES = ("adamax", "nadam", "lion", "", "adam ", "sgd2", "Adadelta")
HYPERPARAMETER_VALUES = (0.0, -1.0, NAN, INF, -INF, 1e30, 1e-30, 1.0, 2.0, 0.5, "0.1", True, None, 1, 3e39,
                         np.float64(0.1), [0.1])
OPTIMIZER_ARGUMENTS = ("learning_rate", "momentum", "nesterov", "beta_1", "beta_2", "epsilon", "amsgrad", "rho",
                       "centered", "initial_accumulator_value", "weight_decay", "clipnorm", "clipvalue",
                       "global_clipnorm", "name", "use_ema", "unknown_argument")
OPTIMIZER_CLASSES = {"sgd": kernas.optimizers.SGD, "adam": kernas.optimizers.Adam, "adamw": kernas.optimizers.AdamW,
                     "rmsprop": kernas.optimizers.RMSprop, "adagrad": kernas.optimizers.Adagrad}
# The constructor arguments each optimizer has, so that drawn keyword arguments are mostly known ones.
OWN_ARGUMENTS = {"sgd": ("momentum", "nesterov"), "adam": ("beta_1", "beta_2", "epsilon", "amsgrad"),
                 "adamw": ("beta_1", "beta_2", "epsilon", "amsgrad"), "rmsprop": ("rho", "momentum", "epsilon",
                                                                                  "centered"),
                 "adagrad": ("initial_accumulator_value", "epsilon")}
COMMON_ARGUMENTS = ("learning_rate", "weight_decay", "clipnorm", "clipvalue", "global_clipnorm")


def hyperparameters(name):
    """Keyword arguments for optimizer ``name``: sensible values mostly, absurd ones sometimes."""
    keys = OWN_ARGUMENTS[name] + COMMON_ARGUMENTS
    key = rarely(st.sampled_from(keys), st.sampled_from(OPTIMIZER_ARGUMENTS), 10)
    value = rarely(st.floats(1e-4, 0.9), st.sampled_from(HYPERPARAMETER_VALUES), 35)
    return st.dictionaries(key, value, max_size=3).map(_fix_flags)


def _fix_flags(kwargs):
    # Flags drawn as floats would be refused every time; make most of them booleans.
    return {k: (v > 0.5 if isinstance(v, float) and k in ("nesterov", "amsgrad", "centered") else v)
            for k, v in kwargs.items()}


@st.composite
def optimizers(draw):
    """An optimizer argument for compile: a name, a config dict, an object (built here; may be refused) or junk."""
    form = draw(st.sampled_from(("name", "name", "object", "object", "dict", "junk")))
    if form == "name":
        return draw(rarely(st.sampled_from(OPTIMIZER_NAMES), st.sampled_from(JUNK_NAMES), 20))
    if form == "junk":
        return draw(st.sampled_from((None, 3, 1.5, [], True, {"config": {}}, {"class_name": "sgd", "config": 5},
                                     {"class_name": 7}, kernas.optimizers.SGD)))
    name = draw(st.sampled_from(sorted(OPTIMIZER_CLASSES)))
    kwargs = draw(hyperparameters(name))
    if form == "dict":
        return {"class_name": draw(st.sampled_from((name, name.upper()))), "config": kwargs}
    return OPTIMIZER_CLASSES[name], kwargs  # built inside the test, where a refusal is checked


LOSS_NAMES = ("categorical_crossentropy", "sparse_categorical_crossentropy", "mse", "mae", "huber",
              "binary_crossentropy", "mean_squared_error", "CategoricalCrossentropy", "MSE", "bce")
LOSS_JUNK = ("Mse", "junk", "", b"mse", None, 3, ["mse"], {"a": 1}, {"class_name": "Nope"},
             {"class_name": "Huber", "config": {"delta": -1.0}}, lambda y_true, y_pred: y_pred,
             kernas.losses.Huber, kernas.losses.CategoricalCrossentropy(from_logits=True),
             kernas.losses.mean_absolute_error, {"class_name": "MeanSquaredError", "config": {}})
METRIC_NAMES = ("accuracy", "acc", "mse", "mae", "auc", "precision", "recall", "categorical_accuracy",
                "top_k_categorical_accuracy", "sparse_categorical_accuracy", "sparse_top_k_categorical_accuracy",
                "crossentropy", "ce", "binary_accuracy", "categorical_crossentropy")
METRIC_JUNK = ("junk", None, 3, "", ["acc"], {"class_name": "AUC"}, lambda y_true, y_pred: y_pred[..., 0],
               kernas.metrics.Precision)


def metric_lists():
    one = rarely(st.sampled_from(METRIC_NAMES), st.sampled_from(METRIC_JUNK), 15)
    return rarely(st.none() | st.lists(one, max_size=3),
                  st.sampled_from(("accuracy", 5, {"out": "acc"}, ("mse",), ["acc", "acc"])), 15)


def compile_extras():
    keys = st.sampled_from(("loss_weights", "steps_per_execution", "jit_compile", "run_eagerly", "auto_scale_loss"))
    values = st.sampled_from((None, 1, 1.0, 2, 0, -1, "x", True, False, "auto", [1.0], NAN, np.int64(1)))
    return rarely(st.just({}), st.dictionaries(keys, values, max_size=2), 30)


def _targets(loss, labels, one_hot):
    """Labels in the form the compiled loss takes (class indices for the sparse loss, one-hot otherwise)."""
    sparse = isinstance(loss, kernas.losses.SparseCategoricalCrossentropy)
    return labels if sparse else one_hot


@given(optimizer=optimizers(), loss=rarely(st.sampled_from(LOSS_NAMES), st.sampled_from(LOSS_JUNK), 25),
       metrics=metric_lists(), weighted=rarely(st.none(), metric_lists(), 20), extras=compile_extras(),
       seed=st.integers(0, 2**16))
def test_compile_arguments_are_used_orrefused(optimizer, loss, metrics, weighted, extras, seed):
    model = _model()
    if isinstance(optimizer, tuple):
        refused, optimizer = _refused(lambda: optimizer[0](**optimizer[1]), *OPTIMIZER_ARGUMENTS)
        if refused:
            return
    refused, _ = _refused(lambda: model.compile(optimizer=optimizer, loss=loss, metrics=metrics,
                                                weighted_metrics=weighted, **extras),
                          "optimizer", "loss", "metric", "loss_weights", "steps_per_execution")
    if refused:
        return
    x, labels, one_hot = _data(seed, 6)
    y = _targets(model.loss, labels, one_hot)
    before = model.predict(x, verbose=0)
    if model.optimizer is None:
        # Keras compiles without an optimizer for evaluation only; training says it needs one.
        assert _refused(lambda: model.train_on_batch(x, y), "optimizer")[0]
        step = lambda: model.test_on_batch(x, y, return_dict=True)  # noqa: E731
    else:
        # Every optimizer hyperparameter compile accepted is finite (a clipping threshold may be -inf, which
        # Keras ignores, or clipvalue=inf, which never clips): no NaN reaches the weights.
        for key, value in model.optimizer.get_config().items():
            if isinstance(value, float):
                assert math.isfinite(value) or (abs(value) == INF and "clip" in key), (key, value)
        step = lambda: model.train_on_batch(x, y, return_dict=True)  # noqa: E731
    refused, result = _refused(step, "y_true", "y_pred", "metric")
    if refused:
        return  # a metric that does not fit these labels (e.g. binary_accuracy of 3 classes) says so
    assert isinstance(result, dict) and "loss" in result
    assert all(isinstance(v, float) for v in result.values()), result
    # The first step's loss is the loss of the weights before it: finite for these small inputs.
    assert math.isfinite(result["loss"]), result
    assert before.shape == (6, CLASSES)
    results = model.evaluate(x, y, verbose=0, return_dict=True)
    assert set(results) == set(result)


# ----- data through fit / evaluate / predict ------------------------------------------------------------

MODEL_KINDS = st.sampled_from(("dense", "dense", "conv"))


@st.composite
def model_inputs(draw, kind, samples):
    """x for a model of ``kind``: usually the right shape, any dtype, an awkward layout, sometimes NaN/inf."""
    shape = (samples,) + INPUT_SHAPES[kind]
    wrong = draw(rarely(st.just(None), st.sampled_from(("features", "rank", "scalar", "list")), 12))
    if wrong == "features":
        shape = shape[:-1] + (shape[-1] + 1,)
    elif wrong == "rank":
        shape = shape + (1,)
    elif wrong == "scalar":
        return np.float32(1.0)
    array = draw(arrays_of_any_dtype(shape, magnitude=3.0))
    if wrong == "list":
        return array.tolist()
    return draw(awkward_views(array))


@given(kind=MODEL_KINDS, samples=st.integers(0, 9), batch_size=rarely(st.integers(1, 12) | st.none(),
       st.sampled_from((0, -1, 2.0, True, "4", 10**12, np.int64(3))), 15), data=st.data())
def test_predict_matches_reference_for_any_input(kind, samples, batch_size, data):
    model = _model(kind)
    x = data.draw(model_inputs(kind, samples))
    refused, out = _refused(lambda: model.predict(x, batch_size=batch_size, verbose=0), "x", "batch_size",
                            "input")
    if refused:
        return
    x = np.asarray(x)
    assert out.shape == (samples, CLASSES) and out.dtype == np.float32
    # float64, ints and bools are converted: the same values as float32 input give the same outputs.
    x32 = x.astype(np.float32)
    np.testing.assert_array_equal(out, model.predict(np.ascontiguousarray(x32), verbose=0))
    np.testing.assert_array_equal(out, model.predict_on_batch(x))
    if samples == 0:
        return
    finite_rows = np.isfinite(x32.reshape(samples, int(np.prod(x32.shape[1:])))).all(axis=1)
    with np.errstate(invalid="ignore", over="ignore"):  # NaN/inf samples in the float64 reference
        expected = _reference_predict(kind, model.get_weights(), x32)
    # A NaN or inf in one sample never leaks into another sample's outputs.
    np.testing.assert_allclose(out[finite_rows], expected[finite_rows], rtol=1e-4, atol=1e-6)


def _labels_for(draw, loss_name, labels, one_hot):
    """Targets for ``loss_name``: usually right, sometimes out of range, fractional, wrong width or junk."""
    if loss_name == "sparse_categorical_crossentropy":
        good = labels.reshape(-1, 1) if draw(st.booleans()) else labels
        bad = st.sampled_from(("negative", "out_of_range", "fraction", "nan", "one_hot"))
    else:
        good = one_hot
        bad = st.sampled_from(("labels", "wide", "negative", "nan", "outside_01"))
    which = draw(rarely(st.just("good"), bad, 20))
    if which == "good":
        dtype = draw(st.sampled_from(("float32", "float64", "int32", "uint8", "float16", "bool")))
        if dtype == "bool" and good.max(initial=0) > 1:
            dtype = "int64"
        return good.astype(dtype)
    return {"negative": labels - 1 if loss_name.startswith("sparse") else one_hot - 1,
            "out_of_range": labels + CLASSES, "fraction": labels + 0.5, "nan": np.full(labels.shape, NAN),
            "one_hot": one_hot, "labels": labels, "wide": np.eye(CLASSES + 1)[labels],
            "outside_01": one_hot * 3 - 1}[which]


@given(kind=MODEL_KINDS, samples=st.integers(0, 9), loss=st.sampled_from(("categorical_crossentropy",
       "sparse_categorical_crossentropy", "mse")), seed=st.integers(0, 2**16), data=st.data())
def test_evaluate_matches_reference_or_refuses(kind, samples, loss, seed, data):
    model = _model(kind)
    model.compile(optimizer="sgd", loss=loss, metrics=data.draw(st.sampled_from((None, ["accuracy"]))))
    x, labels, one_hot = _data(seed, samples, kind)
    y = _labels_for(data.draw, loss, labels, one_hot)
    x_view = data.draw(awkward_views(data.draw(st.sampled_from((x, x.astype(np.float64))))))
    batch_size = data.draw(st.integers(1, 10))
    refused, results = _refused(lambda: model.evaluate(x_view, y, batch_size=batch_size, verbose=0,
                                                       return_dict=True), "y_true", "y", "class")
    if refused:
        return
    if samples == 0:
        assert results["loss"] == 0.0
        return
    probabilities = _reference_predict(kind, model.get_weights(), x)
    if loss == "mse":
        expected = np.mean((probabilities - np.asarray(y, np.float64)) ** 2)
    else:
        targets = np.eye(CLASSES)[np.asarray(y).reshape(-1).astype(np.int64)] if loss.startswith("sparse") else y
        expected = np.mean(-np.sum(np.asarray(targets, np.float64) * np.log(np.clip(probabilities, 1e-7, 1 - 1e-7)),
                                   axis=-1))
    np.testing.assert_allclose(results["loss"], expected, rtol=1e-5, atol=1e-6)
    if "accuracy" in results:
        truth = np.asarray(y).reshape(-1) if loss.startswith("sparse") else np.asarray(y).argmax(axis=-1)
        assert results["accuracy"] == pytest.approx(np.mean(probabilities.argmax(axis=-1) == truth), abs=1e-6)


FIT_JUNK = {
    "batch_size": (0, -1, 2.0, True, "4", np.int64(3), 10**12),
    "epochs": (0, -1, 1.5, True, None, "2", np.int32(2)),
    "initial_epoch": (-1, 1.0, None, 1, 5),
    "validation_split": (-0.1, 1, 1.0, NAN, 0.95, "0.2", 0.3, np.float64(0.5)),
    "shuffle": ("x", None, 1, 0, "batch", False, np.bool_(True)),
    "verbose": ("x", 3, -1, True, None, 1.0),
    "steps_per_epoch": (0, -2, 1.0, True, 1, 100),
    "validation_steps": (0, 1.5, 1),
    "validation_freq": (0, [1, 2], 2),
    "callbacks": (5, [5], "x", [None], lambda: 1, {}, "history"),
    "class_weight": ({0: 1.0}, {0: -1.0, 1: 2.0, 2: 1.0}, {0: NAN}, [1, 2, 3], {"a": 1}, {0.5: 1.0}, {},
                     {10**30: 1.0}, {None: 1.0}, {0: None}, {0: 1e40}, {1: INF}),
    "sample_weight": ("ones", "short", "negative", "nan", "column", "matrix", "scalar", "string", "bool"),
    "validation_data": ("ok", "one", "four", "features", "short_y", "labels", "bare", "weights", "empty", "dict"),
}


def _fit_argument(name, value, x, one_hot, labels):
    """Turns the symbolic sample_weight / validation_data draws into arrays for this data."""
    n = len(x)
    if name == "sample_weight":
        return {"ones": np.ones(n), "short": np.ones(max(n - 1, 0)), "negative": -np.ones(n),
                "nan": np.full(n, NAN), "column": np.ones((n, 1)), "matrix": np.ones((n, 2)), "scalar": 1.0,
                "string": np.array(["1"] * n), "bool": np.ones(n, bool)}[value]
    if name == "callbacks" and value == "history":
        return [[kernas.callbacks.History()]]  # a fresh one: a History keeps what every fit adds to it
    if name == "validation_data":
        return {"ok": (x, one_hot), "one": (x,), "four": (x, one_hot, None, None), "features": (x[:, :3], one_hot),
                "short_y": (x, one_hot[:1]), "labels": (x, labels), "bare": x, "weights": (x, one_hot, np.ones(n)),
                "empty": (x[:0], one_hot[:0]), "dict": {"x": x}}[value]
    return value


@given(arguments=st.dictionaries(st.sampled_from(sorted(FIT_JUNK)), st.integers(0, 99), max_size=3),
       samples=st.integers(1, 9), seed=st.integers(0, 2**16))
def test_fit_arguments_work_or_arerefused(arguments, samples, seed):
    x, labels, one_hot = _data(seed, samples)
    kwargs = {name: _fit_argument(name, FIT_JUNK[name][index % len(FIT_JUNK[name])], x, one_hot, labels)
              for name, index in arguments.items()}
    kwargs.setdefault("verbose", 0)
    model = _model()
    model.compile(optimizer=kernas.optimizers.SGD(learning_rate=0.05), loss="categorical_crossentropy")
    initial = model.get_weights()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "ran out of data" for a large steps_per_epoch
        refused, history = _refused(lambda: model.fit(x, one_hot, **kwargs), *FIT_JUNK)
    if refused:
        # A refusal happens before any step: the weights are untouched.
        for before, after in zip(initial, model.get_weights()):
            np.testing.assert_array_equal(before, after)
        return
    epochs = kwargs.get("epochs", 1)
    epochs = epochs if isinstance(epochs, (int, np.integer)) else 1
    ran = max(0, epochs - kwargs.get("initial_epoch", 0))
    for key, values in history.history.items():
        assert len(values) == ran, (key, values)
        assert key in ("loss", "val_loss"), key
    for weight in model.get_weights():
        assert weight.dtype == np.float32


@given(method=st.sampled_from(("train_on_batch", "test_on_batch")), samples=st.integers(0, 6),
       seed=st.integers(0, 2**16), data=st.data())
def test_on_batch_calls_convert_or_refuse(method, samples, seed, data):
    model = _model()
    model.compile(optimizer=kernas.optimizers.SGD(learning_rate=0.05), loss="sparse_categorical_crossentropy")
    x, labels, _ = _data(seed, samples)
    x_any = data.draw(awkward_views(data.draw(arrays_of_any_dtype(x.shape, magnitude=3.0, nonfinite=False))))
    y = data.draw(rarely(st.just(labels), st.sampled_from((labels - 1, labels + 0.5, labels[:-1], labels[:, None],
                                                           labels.astype(str), labels.astype(np.uint8))), 25))
    weights = data.draw(rarely(st.none(), st.sampled_from((np.ones(samples), np.ones(samples + 1), 2.0,
                                                           np.full(samples, 0.5, np.float16))), 30))
    twin = _model()
    twin.set_weights(model.get_weights())
    twin.compile(optimizer=kernas.optimizers.SGD(learning_rate=0.05), loss="sparse_categorical_crossentropy")
    refused, value = _refused(lambda: getattr(model, method)(x_any, y, sample_weight=weights), "y_true", "y",
                              "sample_weight", "x")
    if refused:
        return
    assert isinstance(value, float)
    # Converted input gives exactly what float32 input of the same values gives.
    x32 = np.ascontiguousarray(np.asarray(x_any).astype(np.float32))
    w32 = None if weights is None else np.asarray(weights, np.float32)
    assert getattr(twin, method)(x32, np.asarray(y).astype(np.int64), sample_weight=w32) == value
    for got, want in zip(model.get_weights(), twin.get_weights()):
        np.testing.assert_array_equal(got, want)


# ----- a diverging run and TerminateOnNaN ------------------------------------------------------------------

@settings(max_examples=10)
@given(seed=st.integers(0, 2**16), raise_error=st.booleans())
def test_terminate_on_nan_stops_at_the_first_nan_batch(seed, raise_error):
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal((40, 4)) * 1e3).astype(np.float32)
    y = (rng.standard_normal((40, 1)) * 1e3).astype(np.float32)
    model = kernas.Sequential([kernas.Input(shape=(4,)), Dense(8), Dense(1)])
    model.compile(optimizer=kernas.optimizers.SGD(learning_rate=0.9), loss="mse")
    seen = []
    record = kernas.callbacks.LambdaCallback(on_train_batch_end=lambda batch, logs: seen.append(logs["loss"]))
    callbacks = [record, kernas.callbacks.TerminateOnNaN(raise_error=raise_error)]
    if raise_error:
        with pytest.raises(RuntimeError, match="NaN or Inf loss"):
            model.fit(x, y, batch_size=2, epochs=5, shuffle=False, verbose=0, callbacks=callbacks)
    else:
        history = model.fit(x, y, batch_size=2, epochs=5, shuffle=False, verbose=0, callbacks=callbacks)
        assert len(history.history["loss"]) == 1
        assert not math.isfinite(history.history["loss"][0])
    # Training stopped at the first non-finite running loss: every batch before it was finite.
    assert not math.isfinite(seen[-1]) and all(math.isfinite(v) for v in seen[:-1]), seen
    assert len(seen) < 20
