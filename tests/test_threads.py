"""Python threads: every kernel releases the GIL, predict is thread-safe, and training is exclusive."""

import copy
import sys
import threading

import numpy as np
import pytest

import kernas
from kernas import _core, layers

# _core's callables that are not kernels (settings and queries): they return at once.
_NOT_KERNELS = {"ActivationSpec", "LossKind", "active_arch", "set_active_arch", "supported_archs", "num_threads",
                "set_num_threads"}
KERNELS = sorted(name for name in dir(_core) if not name.startswith("_") and callable(getattr(_core, name))
                 and name not in _NOT_KERNELS)


def _kernel_model(head, seed):
    """A stack that calls every layer kernel, wide enough that each call does real work."""
    kernas.utils.set_random_seed(seed)
    return kernas.Sequential([
        kernas.Input(shape=(16, 16, 4)),
        layers.Conv2D(8, 3, activation="relu"),
        layers.BatchNormalization(),
        layers.MaxPooling2D(2),
        layers.Dropout(0.25),
        layers.AveragePooling2D(2, padding="same"),
        layers.Activation("tanh"),
        head,
        layers.Dense(256, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ])


def _record_kernel_calls(monkeypatch):
    """Replaces every kernel in _core by a wrapper that keeps its first call's arguments."""
    calls = {}
    for name in KERNELS:
        original = getattr(_core, name)

        def recorder(*args, _name=name, _original=original, **kwargs):
            calls.setdefault(_name, (_original, args, kwargs))
            return _original(*args, **kwargs)

        monkeypatch.setattr(_core, name, recorder)
    return calls


def _releases_gil(function, args, kwargs, repeats=200, attempts=10):
    """Whether the main thread ever gets the GIL while another thread is inside ``function``.

    The switch interval is made huge, so the interpreter never takes the GIL
    from a thread by itself: the main thread can run while the worker is busy
    only if the worker's calls give the GIL up. The worker repeats the call,
    so a fast kernel still offers many chances to be caught.
    """
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1000.0)
    try:
        for _ in range(attempts):
            started, finished = threading.Event(), []

            def worker():
                started.set()
                for _ in range(repeats):
                    function(*args, **kwargs)
                finished.append(True)

            thread = threading.Thread(target=worker)
            thread.start()
            started.wait()
            ran_beside_the_kernel = not finished
            thread.join()
            if ran_beside_the_kernel:
                return True
        return False
    finally:
        sys.setswitchinterval(interval)


def test_every_kernel_releases_the_gil(monkeypatch):
    calls = _record_kernel_calls(monkeypatch)
    x = np.random.default_rng(0).normal(size=(64, 16, 16, 4)).astype(np.float32)
    labels = np.arange(64) % 10
    cases = [
        (layers.GlobalAveragePooling2D(), "adam", "categorical_crossentropy", np.eye(10, dtype=np.float32)[labels]),
        (layers.GlobalMaxPooling2D(), "sgd", "sparse_categorical_crossentropy", labels),
        (layers.GlobalAveragePooling2D(), "rmsprop", "mse", np.eye(10, dtype=np.float32)[labels]),
        (layers.GlobalMaxPooling2D(), "adagrad", kernas.losses.SparseCategoricalCrossentropy(), labels),
        (layers.Flatten(), "sgd", kernas.losses.CategoricalCrossentropy(label_smoothing=0.1),
         np.eye(10, dtype=np.float32)[labels]),
    ]
    for seed, (head, optimizer, loss, y) in enumerate(cases):
        model = _kernel_model(head, seed)
        model.compile(optimizer=optimizer, loss=loss)
        model.fit(x, y, batch_size=64, epochs=1, verbose=0)
        model.predict(x, verbose=0)
    kernas.ops.matmul(x.reshape(64, -1), x.reshape(64, -1).T)
    kernas.losses.sparse_categorical_crossentropy(labels, np.full((64, 10), 0.1, np.float32))
    model.layers[0].forward(x, False)
    monkeypatch.undo()
    assert sorted(calls) == KERNELS, "a kernel was not reached: extend the calls above so the test covers it"
    holding = [name for name, (function, args, kwargs) in calls.items() if not _releases_gil(function, args, kwargs)]
    assert holding == []


def test_the_gil_probe_catches_a_call_that_holds_it():
    assert not _releases_gil(sum, (range(20_000),), {})
    assert _releases_gil(threading.Event().wait, (0.0005,), {})


def _conv_model(seed=3, with_input=True):
    kernas.utils.set_random_seed(seed)
    stack = [layers.Conv2D(6, 3, activation="relu"), layers.MaxPooling2D(2), layers.Flatten(),
             layers.Dense(5, activation="softmax")]
    return kernas.Sequential(([kernas.Input(shape=(12, 12, 2))] if with_input else []) + stack)


def _in_threads(count, function):
    barrier = threading.Barrier(count)
    results, errors = [None] * count, []

    def run(index):
        barrier.wait()
        try:
            results[index] = function(index)
        except BaseException as error:  # reported below with its thread
            errors.append((index, error))

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results


@pytest.mark.parametrize("with_input", [True, False], ids=["built", "built-by-first-predict"])
def test_predict_from_four_threads_equals_sequential_predict(with_input):
    model = _conv_model(with_input=with_input)
    inputs = [np.random.default_rng(i).normal(size=(70, 12, 12, 2)).astype(np.float32) for i in range(4)]
    for _ in range(3):
        concurrent = _in_threads(4, lambda i: model.predict(inputs[i], batch_size=16, verbose=0))
        weights = [w.copy() for w in model.get_weights()]
        for i in range(4):
            np.testing.assert_array_equal(concurrent[i], model.predict(inputs[i], batch_size=16, verbose=0))
        assert all(np.array_equal(a, b) for a, b in zip(weights, model.get_weights()))
    assert len(model.weights) == 4  # built once, not once per thread


def test_predict_on_batch_and_call_from_threads_equal_sequential():
    model = _conv_model()
    x = np.random.default_rng(9).normal(size=(33, 12, 12, 2)).astype(np.float32)
    expected = model.predict_on_batch(x)
    for result in _in_threads(4, lambda i: model.predict_on_batch(x) if i % 2 else model(x)):
        np.testing.assert_array_equal(result, expected)


class _HoldInside(kernas.callbacks.Callback):
    """Stops its thread inside a model call until released."""

    def __init__(self):
        super().__init__()
        self.inside, self.release = threading.Event(), threading.Event()

    def _hold(self, *args, **kwargs):
        self.inside.set()
        assert self.release.wait(60)

    on_train_batch_end = on_predict_batch_end = on_test_batch_end = _hold


def _data(samples=32):
    rng = np.random.default_rng(5)
    return rng.normal(size=(samples, 12, 12, 2)).astype(np.float32), rng.integers(0, 5, size=samples)


def _hold_in_thread(call):
    hold = _HoldInside()
    errors = []

    def run():
        try:
            call(hold)
        except BaseException as error:  # asserted by the caller
            errors.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    assert hold.inside.wait(60)
    return hold, thread, errors


def _changes(model, x, y, weights, weights_file):
    """Every call that changes ``model``, by the method name its refusal names."""
    return {
        "fit": lambda: model.fit(x, y, verbose=0),
        "train_on_batch": lambda: model.train_on_batch(x, y),
        "evaluate": lambda: model.evaluate(x, y, verbose=0),
        "test_on_batch": lambda: model.test_on_batch(x, y),
        "set_weights": lambda: model.set_weights(weights),
        "compile": lambda: model.compile(optimizer="sgd", loss="mse"),
        "load_weights": lambda: model.load_weights(weights_file),
    }


def test_fit_in_another_thread_refuses_every_change_and_read(tmp_path):
    x, y = _data()
    model = _conv_model()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.save_weights(tmp_path / "saved.weights.h5")
    hold, thread, errors = _hold_in_thread(
        lambda hold: model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0, callbacks=[hold]))
    before = [v.numpy() for v in model.weights]  # get_weights itself is refused now
    refused = {
        **_changes(model, x, y, before, tmp_path / "saved.weights.h5"),
        "predict": lambda: model.predict(x, verbose=0),
        "predict_on_batch": lambda: model.predict_on_batch(x),
        "__call__": lambda: model(x),
        "get_weights": lambda: model.get_weights(),
        "save": lambda: kernas.saving.save_model(model, tmp_path / "m.keras"),
        "save_weights": lambda: model.save_weights(tmp_path / "m.weights.h5"),
        "pickle": lambda: copy.deepcopy(model),
    }
    for method, call in refused.items():
        with pytest.raises(RuntimeError, match=rf"Cannot call `{method}\(\)`.*another thread is changing it "
                                               r"with `fit\(\)`.*copy\.deepcopy"):
            call()
    with pytest.raises(RuntimeError, match=r"`__call__\(\)`.*changing it with `fit\(\)`"):
        model(x, training=True)
    assert not (tmp_path / "m.keras").exists() and not (tmp_path / "m.weights.h5").exists()
    assert all(np.array_equal(a, b) for a, b in zip(before, [v.numpy() for v in model.weights]))
    hold.release.set()
    thread.join()
    assert errors == []

    kernas.utils.set_random_seed(3)
    alone = _conv_model()
    alone.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    alone.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    for a, b in zip(alone.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)  # free again once the other fit ended


def test_changes_are_refused_while_another_thread_predicts(tmp_path):
    x, y = _data()
    model = _conv_model()
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    model.save_weights(tmp_path / "saved.weights.h5")
    weights = model.get_weights()
    hold, thread, errors = _hold_in_thread(lambda hold: model.predict(x, batch_size=8, verbose=0, callbacks=[hold]))
    refused = _changes(model, x, y, weights, tmp_path / "saved.weights.h5")
    for method, call in refused.items():
        with pytest.raises(RuntimeError, match=rf"`{method}\(\)`.*another thread is using it for `predict\(\)`"):
            call()
    np.testing.assert_array_equal(model.predict(x[:4], verbose=0), model.predict(x[:4], verbose=0))  # readers share
    hold.release.set()
    thread.join()
    assert errors == []
    model.fit(x, y, verbose=0)


def test_the_training_thread_may_evaluate_and_predict_inside_fit():
    x, y = _data()
    model = _conv_model()
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    seen = []
    inner = kernas.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: seen.append((model.evaluate(x, y, verbose=0),
                                                     model.predict(x, verbose=0).shape)))
    model.fit(x, y, epochs=2, validation_data=(x, y), verbose=0, callbacks=[inner])
    assert [shape for _, shape in seen] == [(32, 5), (32, 5)]
