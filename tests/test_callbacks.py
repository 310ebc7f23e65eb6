"""kernas.callbacks driven through CallbackList as fit drives them, against Keras 3's callbacks.

A small stub model stands in for the model: weights, an optimizer with a
float32 learning rate, stop_training, save / save_weights. Each scenario runs
once with kernas's callbacks and once with Keras's (given the same stub and
the same logs) and compares what they did and printed.
"""

import io
import math
import os
import sys
import warnings

import numpy as np
import pytest

import kernas
import kernas.callbacks as kc


class StubOptimizer:
    """An optimizer whose learning rate lives in float32, as Keras's and kernas's do."""

    def __init__(self, learning_rate=0.1):
        self._lr = np.float32(learning_rate)
        self.set_calls = []

    @property
    def learning_rate(self):
        return float(self._lr)

    @learning_rate.setter
    def learning_rate(self, value):
        self.set_calls.append(value)
        self._lr = np.float32(value)


class StubModel:
    def __init__(self, learning_rate=0.1):
        self.stop_training = False
        self.optimizer = StubOptimizer(learning_rate)
        self.weights = [np.zeros(3), np.zeros(2)]
        self.saved = []

    def get_weights(self):
        return [w.copy() for w in self.weights]

    def set_weights(self, weights):
        self.weights = [np.array(w) for w in weights]

    def save(self, filepath, **kwargs):
        self.saved.append(("save", filepath))
        with open(filepath, "w") as f:
            f.write("model")

    def save_weights(self, filepath, **kwargs):
        self.saved.append(("save_weights", filepath))
        with open(filepath, "w") as f:
            f.write("weights")


def _callback_list(module, callbacks, model, epochs, steps):
    if module == "keras":
        import keras

        # Keras dispatches batch hooks on a thread pool unless a callback overrides them;
        # this no-op override keeps its run sequential like kernas's.
        class Sync(keras.callbacks.Callback):
            def on_train_batch_end(self, batch, logs=None):
                pass

        return keras.callbacks.CallbackList(
            [Sync()] + callbacks, add_history=True, model=model, verbose=0, epochs=epochs, steps=steps
        )
    return kc.CallbackList(callbacks, add_history=True, model=model, verbose=0, epochs=epochs, steps=steps)


def fit(module, callbacks, epoch_logs, steps=3, model=None, batch_logs=None):
    """Drives the hooks as fit does; the model's weights change every epoch."""
    model = model or StubModel()
    cbl = _callback_list(module, callbacks, model, len(epoch_logs), steps)
    out = io.StringIO()
    saved_stdout, sys.stdout = sys.stdout, out
    lrs = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            cbl.on_train_begin()
            logs = None
            for epoch, logs in enumerate(epoch_logs):
                cbl.on_epoch_begin(epoch)
                for step in range(steps):
                    cbl.on_train_batch_begin(step)
                    cbl.on_train_batch_end(step, (batch_logs or {}).get((epoch, step), {"loss": logs.get("loss", 1.0)}))
                model.weights = [w + 1 for w in model.weights]
                logs = dict(logs)
                cbl.on_epoch_end(epoch, logs)
                lrs.append(model.optimizer.learning_rate)
                if model.stop_training:
                    break
            cbl.on_train_end(logs)
    finally:
        sys.stdout = saved_stdout
    return {
        "epochs_run": len(lrs),
        "output": out.getvalue(),
        "warnings": [str(w.message) for w in caught],
        "lrs": lrs,
        "weights": [w.tolist() for w in model.weights],
        "history": model.history.history,
        "saved": model.saved,
        "stop_training": model.stop_training,
    }


def both(keras, make, epoch_logs, **kwargs):
    """Runs the same scenario with kernas and Keras callbacks; ``make(module)`` builds the callbacks."""
    received = fit("kernas", make(kc), epoch_logs, **kwargs)
    expected = fit("keras", make(keras.callbacks), epoch_logs, **kwargs)
    return received, expected


LOSSES = [1.0, 0.8, 0.79995, 0.81, 0.7, 0.71, 0.72, 0.73, 0.74, 0.75, 0.76, 0.77]


def _logs(values, key="val_loss"):
    return [{"loss": v + 0.1, key: v} for v in values]


# ----- EarlyStopping ------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(),
        dict(patience=2),
        dict(patience=2, min_delta=0.001),
        dict(patience=1, verbose=1, restore_best_weights=True),
        dict(patience=3, verbose=1, restore_best_weights=True, start_from_epoch=2),
        dict(patience=2, baseline=0.75, verbose=1),
        dict(patience=2, baseline=0.5, restore_best_weights=True, verbose=1),
        dict(monitor="loss", patience=1, mode="min"),
        dict(monitor="val_auc", patience=1, mode="max", verbose=1),
    ],
)
def test_early_stopping_matches_keras(keras, kwargs):
    key = "val_auc" if kwargs.get("monitor") == "val_auc" else "val_loss"
    received, expected = both(keras, lambda m: [m.EarlyStopping(**kwargs)], _logs(LOSSES, key))
    assert received == expected


def test_early_stopping_stops_and_restores():
    stopper = kc.EarlyStopping(patience=1, restore_best_weights=True, verbose=1)
    result = fit("kernas", [stopper], _logs([1.0, 0.5, 0.6, 0.7, 0.1]))
    assert result["epochs_run"] == 3 and result["stop_training"]
    assert stopper.stopped_epoch == 2 and stopper.best_epoch == 1
    assert result["weights"] == [[2.0] * 3, [2.0] * 2]
    assert result["output"] == "Epoch 3: early stopping\nRestoring model weights from the end of the best epoch: 2.\n"


def test_early_stopping_missing_metric_warns_like_keras(keras):
    received, expected = both(keras, lambda m: [m.EarlyStopping(monitor="val_acc", mode="max")], [{"loss": 1.0}] * 2)
    assert received == expected
    assert received["warnings"][0] == (
        "Early stopping conditioned on metric `val_acc` which is not available. Available metrics are: loss"
    )


def test_monitor_direction_needs_mode_for_unknown_metric():
    with pytest.raises(ValueError, match="mode='max'"):
        fit("kernas", [kc.EarlyStopping(monitor="val_auc")], _logs([1.0], "val_auc"))


def test_monitor_direction_from_model_metric():
    class Accuracy:
        name = "accuracy"
        _direction = "up"

    class Compiled:
        metrics = [Accuracy()]

    model = StubModel()
    model.metrics = [Compiled()]
    stopper = kc.EarlyStopping(monitor="val_accuracy", patience=1)
    result = fit("kernas", [stopper], _logs([0.5, 0.6, 0.7, 0.65, 0.6], "val_accuracy"), model=model)
    assert result["epochs_run"] == 4 and stopper.best == 0.7


def test_unknown_mode_warns_and_falls_back():
    with pytest.warns(UserWarning, match="mode 'up' is unknown"):
        assert kc.EarlyStopping(mode="up").mode == "auto"


# ----- ReduceLROnPlateau and LearningRateScheduler ------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(),
        dict(patience=1, verbose=1),
        dict(patience=1, factor=0.5, cooldown=2, verbose=1),
        dict(patience=0, factor=0.2, min_lr=0.01, verbose=1),
        dict(patience=2, min_delta=0.05, mode="min", verbose=1),
        dict(monitor="loss", patience=1, verbose=1),
        dict(monitor="val_missing", patience=1, mode="min"),
    ],
)
def test_reduce_lr_on_plateau_matches_keras(keras, kwargs):
    received, expected = both(keras, lambda m: [m.ReduceLROnPlateau(**kwargs)], _logs(LOSSES))
    assert received == expected
    if kwargs.get("verbose"):
        assert "ReduceLROnPlateau reducing learning rate to" in received["output"]
    assert received["history"]["learning_rate"] == [pytest.approx(v) for v in [0.1] + received["lrs"][:-1]]


def test_reduce_lr_on_plateau_rejects_bad_arguments():
    with pytest.raises(ValueError, match="factor"):
        kc.ReduceLROnPlateau(factor=1.0)
    with pytest.raises(ValueError, match="epsilon"):
        kc.ReduceLROnPlateau(epsilon=0.1)


@pytest.mark.parametrize("verbose", [0, 1])
def test_learning_rate_scheduler_matches_keras(keras, verbose):
    def schedule(epoch, lr):
        return lr if epoch < 2 else lr * 0.5

    received, expected = both(keras, lambda m: [m.LearningRateScheduler(schedule, verbose=verbose)], _logs(LOSSES[:5]))
    assert received == expected
    assert received["lrs"] == [pytest.approx(v) for v in [0.1, 0.1, 0.05, 0.025, 0.0125]]


def test_learning_rate_scheduler_epoch_only_schedule_and_checks(keras):
    def epoch_only(epoch):
        return 0.01 * (epoch + 1)

    received, expected = both(keras, lambda m: [m.LearningRateScheduler(epoch_only)], _logs([1, 2]))
    assert received == expected and received["lrs"] == [pytest.approx(0.01), pytest.approx(0.02)]
    with pytest.raises(ValueError, match="float"):
        fit("kernas", [kc.LearningRateScheduler(lambda epoch, lr: "fast")], _logs([1]))
    with pytest.raises(TypeError, match="schedule"):
        kc.LearningRateScheduler(0.1)


# ----- ModelCheckpoint --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "filename,kwargs",
    [
        ("ckpt-{epoch:02d}-{val_loss:.2f}.keras", dict(verbose=1)),
        ("best.keras", dict(save_best_only=True, verbose=1)),
        ("best.weights.h5", dict(save_best_only=True, save_weights_only=True, verbose=1, mode="min")),
        ("w{epoch}.weights.h5", dict(save_weights_only=True, save_freq=2, verbose=1)),
        ("b{epoch}-{batch}.keras", dict(save_freq=4)),
        ("t.keras", dict(save_best_only=True, initial_value_threshold=0.78, verbose=1)),
        ("sub/dir/m.keras", dict(monitor="loss", save_best_only=True)),
    ],
)
def test_model_checkpoint_matches_keras(keras, tmp_path, filename, kwargs):
    kernas_dir, keras_dir = tmp_path / "kernas", tmp_path / "keras"
    kernas_dir.mkdir()
    keras_dir.mkdir()
    received = fit("kernas", [kc.ModelCheckpoint(str(kernas_dir / filename), **kwargs)], _logs(LOSSES[:6]))
    expected = fit("keras", [keras.callbacks.ModelCheckpoint(str(keras_dir / filename), **kwargs)], _logs(LOSSES[:6]))
    received["saved"] = [(kind, os.path.relpath(p, kernas_dir)) for kind, p in received["saved"]]
    expected["saved"] = [(kind, os.path.relpath(p, keras_dir)) for kind, p in expected["saved"]]
    received["output"] = received["output"].replace(str(kernas_dir), "DIR")
    expected["output"] = expected["output"].replace(str(keras_dir), "DIR")
    assert received == expected
    assert received["saved"]


def test_model_checkpoint_path_rules():
    with pytest.raises(ValueError, match=r"must end in `\.weights\.h5`"):
        kc.ModelCheckpoint("w.h5", save_weights_only=True)
    with pytest.raises(ValueError, match=r"must end in `\.keras`"):
        kc.ModelCheckpoint("model.weights.h5")
    with pytest.raises(ValueError, match="save_freq"):
        kc.ModelCheckpoint("m.keras", save_freq="batch")
    with pytest.raises(KeyError, match="Failed to format"):
        fit("kernas", [kc.ModelCheckpoint("m-{acc}.keras")], _logs([1.0]))


def test_model_checkpoint_directory_path_raises(tmp_path):
    (tmp_path / "d.keras").mkdir()
    with pytest.raises(IOError, match="non-directory"):
        fit("kernas", [kc.ModelCheckpoint(str(tmp_path / "d.keras"))], _logs([1.0]))


# ----- CSVLogger ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "epoch_logs",
    [
        [{"loss": 0.5, "accuracy": 0.25}, {"loss": 0.25, "accuracy": 0.5, "val_loss": 0.3}],
        [{"loss": 0.1, "val_loss": 0.2, "mae": np.float32(0.1)}, {"loss": 0.05, "val_loss": 0.1, "mae": 0.2}],
        [{"loss": 1.0 / 3.0, "name": "x,y", "vec": np.array([1, 2])}],
    ],
)
@pytest.mark.parametrize("separator", [",", ";"])
def test_csv_logger_text_matches_keras(keras, tmp_path, epoch_logs, separator):
    texts = []
    for name, module in [("kernas", kc), ("keras", keras.callbacks)]:
        path = tmp_path / f"{name}.csv"
        for _ in range(2):  # the second fit appends without a second header
            fit(name, [module.CSVLogger(str(path), separator, append=True)], epoch_logs)
        texts.append(path.read_bytes())
    assert texts[0] == texts[1]
    assert texts[0].count(b"epoch") == 1 and b"\r\n" in texts[0]


def test_csv_logger_overwrites_without_append(tmp_path):
    path = tmp_path / "log.csv"
    for loss in (0.5, 0.25):
        fit("kernas", [kc.CSVLogger(path)], [{"loss": loss}])
    assert path.read_text() == "epoch,loss,val_loss\n0,0.25,NA\n"


# ----- TerminateOnNaN, LambdaCallback, History ---------------------------------------------------------


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_terminate_on_nan_matches_keras(keras, bad):
    batch_logs = {(1, 2): {"loss": bad}}
    received, expected = both(keras, lambda m: [m.TerminateOnNaN()], _logs([1.0, 0.9, 0.8]), batch_logs=batch_logs)
    assert received == expected
    assert received["output"] == "Batch 2: Invalid loss, terminating training\n"
    assert received["epochs_run"] == 2 and received["stop_training"]


def test_terminate_on_nan_raise_error():
    with pytest.raises(RuntimeError, match="NaN or Inf loss encountered at batch 0"):
        fit("kernas", [kc.TerminateOnNaN(raise_error=True)], _logs([1.0]), batch_logs={(0, 0): {"loss": math.nan}})


def test_lambda_callback_hooks():
    calls = []
    callback = kc.LambdaCallback(
        on_epoch_begin=lambda epoch, logs: calls.append(("epoch_begin", epoch)),
        on_epoch_end=lambda epoch, logs: calls.append(("epoch_end", epoch, logs["loss"])),
        on_train_begin=lambda logs: calls.append(("train_begin",)),
        on_train_end=lambda logs: calls.append(("train_end",)),
        on_train_batch_end=lambda batch, logs: calls.append(("batch_end", batch)),
        on_test_end=lambda logs: calls.append(("test_end",)),
    )
    fit("kernas", [callback], _logs([0.5]), steps=2)
    assert calls == [("train_begin",), ("epoch_begin", 0), ("batch_end", 0), ("batch_end", 1),
                     ("epoch_end", 0, 0.6), ("train_end",)]
    with pytest.raises(ValueError, match="on_epoch_ned"):
        kc.LambdaCallback(on_epoch_ned=print)


def test_history_records_epochs_and_sets_model_history(keras):
    received, expected = both(keras, lambda m: [], _logs([0.5, 0.25]))
    assert received == expected
    assert received["history"] == {"loss": [0.6, 0.35], "val_loss": [0.5, 0.25]}


# ----- CallbackList ------------------------------------------------------------------------------------


class _Counting(kc.Callback):
    def __init__(self):
        super().__init__()
        self.seen = []

    def on_epoch_end(self, epoch, logs=None):
        self.seen.append(logs)


class _LegacyBatch(kc.Callback):
    def __init__(self):
        super().__init__()
        self.batches = []

    def on_batch_end(self, batch, logs=None):
        self.batches.append((batch, logs))


def test_callback_list_defaults_params_and_model():
    model = StubModel()
    existing = kc.History()
    cbl = kc.CallbackList([[existing], _Counting()], add_history=True, add_progbar=True, model=model, verbose=2,
                          epochs=4, steps=7)
    assert [type(c).__name__ for c in cbl.callbacks] == ["History", "_Counting", "ProgbarLogger"]
    assert model.history is existing
    assert all(c.model is model for c in cbl.callbacks)
    # ProgbarLogger reads the params it needs and, as in Keras, does not keep the dict.
    assert all(c.params == {"verbose": 2, "epochs": 4, "steps": 7} for c in cbl.callbacks[:2])
    progbar = cbl.callbacks[-1]
    assert (progbar.verbose, progbar.epochs, progbar.target) == (2, 4, 7)
    assert kc.CallbackList().callbacks == []


def test_callback_list_skips_callbacks_without_batch_hooks():
    counting, legacy = _Counting(), _LegacyBatch()
    cbl = kc.CallbackList([counting, legacy], model=StubModel())
    cbl.on_train_begin()
    assert cbl._batch_hooks["on_train_batch_begin"] == []
    assert [m.__self__ for m in cbl._batch_hooks["on_train_batch_end"]] == [legacy]
    cbl.on_train_batch_end(0, {"loss": np.float32(0.5), "acc": np.float64(1.0)})
    assert legacy.batches == [(0, {"acc": 1.0, "loss": 0.5})]
    assert type(legacy.batches[0][1]["loss"]) is float

    late = _LegacyBatch()
    cbl.callbacks.append(late)
    cbl.on_test_begin()
    cbl.on_test_end()
    cbl.on_train_batch_end(1, {"loss": 0.25})
    assert late.batches == [(1, {"loss": 0.25})]


def test_callback_list_logs_sorted_flattened_and_shared():
    counting = _Counting()
    cbl = kc.CallbackList([kc.LearningRateScheduler(lambda e, lr: lr), counting], add_history=True, model=StubModel())
    cbl.on_train_begin()
    cbl.on_epoch_begin(0)
    cbl.on_epoch_end(0, {"val_loss": 1, "loss": np.float32(2), "nested": {"b": 3}, "name": "x"})
    assert list(counting.seen[0]) == ["loss", "name", "b", "val_loss", "learning_rate"]
    assert counting.seen[0]["name"] == "x" and type(counting.seen[0]["val_loss"]) is float
    assert cbl.model.history.history["learning_rate"] == [pytest.approx(0.1)]


def test_callback_list_errors():
    with pytest.raises(TypeError, match="LambdaCallback"):
        kc.CallbackList([print])
    cbl = kc.CallbackList([])
    with pytest.raises(ValueError, match="on_train_begin"):
        cbl.on_train_end()


def test_callback_base_hooks_are_no_ops():
    callback = kc.Callback()
    assert callback.model is None and callback.params is None
    for hook in [name for name in dir(callback) if name.startswith("on_")]:
        args = (0,) if "batch" in hook or "epoch" in hook else ()
        assert getattr(callback, hook)(*args, logs={}) is None


def test_terminate_on_nan_stops_a_diverging_fit_at_the_first_nan_batch():
    # A learning rate far too large for these targets: the loss grows to inf/NaN within a few batches.
    rng = np.random.default_rng(3)
    x = (rng.standard_normal((40, 4)) * 1e3).astype(np.float32)
    y = (rng.standard_normal((40, 1)) * 1e3).astype(np.float32)
    model = kernas.Sequential([kernas.Input(shape=(4,)), kernas.layers.Dense(8), kernas.layers.Dense(1)])
    model.compile(optimizer=kernas.optimizers.SGD(learning_rate=0.9), loss="mse")
    seen = []
    record = kc.LambdaCallback(on_train_batch_end=lambda batch, logs: seen.append(logs["loss"]))
    history = model.fit(x, y, batch_size=2, epochs=5, shuffle=False, verbose=0,
                        callbacks=[record, kc.TerminateOnNaN()])
    assert 1 < len(seen) < 20, seen  # diverged within a few batches, and training stopped there
    assert all(math.isfinite(v) for v in seen[:-1]), seen
    assert not math.isfinite(seen[-1]), seen
    assert len(history.history["loss"]) == 1 and not math.isfinite(history.history["loss"][0])
