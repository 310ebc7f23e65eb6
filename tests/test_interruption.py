"""Ctrl-C and callback exceptions during training leave the model as it was after a completed step."""

import signal

import numpy as np
import pytest

import kernas
from kernas import layers

STEPS_PER_EPOCH = 4


def _model(seed=11):
    kernas.utils.set_random_seed(seed)
    model = kernas.Sequential([
        kernas.Input(shape=(6,)),
        layers.Dense(8, activation="relu"),
        layers.BatchNormalization(),  # its moving statistics change in the forward pass, before the update
        layers.Dense(3, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def _data():
    rng = np.random.default_rng(2)
    return rng.normal(size=(8 * STEPS_PER_EPOCH, 6)).astype(np.float32), rng.integers(0, 3, size=8 * STEPS_PER_EPOCH)


def _state(model):
    return [w.copy() for w in model.get_weights()] + [np.array(v.value, copy=True) for v in model.optimizer.variables]


def _after_steps(steps):
    """The model's state after ``steps`` training steps of the same batches, run one at a time."""
    x, y = _data()
    model = _model()
    for step in range(steps):
        rows = slice((step % STEPS_PER_EPOCH) * 8, (step % STEPS_PER_EPOCH + 1) * 8)
        model.train_on_batch(x[rows], y[rows])
    return _state(model)


def _assert_state(model, expected):
    actual = _state(model)
    assert len(actual) == len(expected)
    for a, b in zip(actual, expected):
        np.testing.assert_array_equal(a, b)


def _interrupt_update_at(model, monkeypatch, step):
    """Sends SIGINT to this process from inside the optimizer's update of the ``step``-th step (1-based).

    At that point the forward pass has already moved the batch-norm
    statistics and no weight has changed yet: the worst moment to stop.
    """
    update = model.optimizer._update
    count = [0]

    def interrupted_update(*args, **kwargs):
        count[0] += 1
        if count[0] == step:
            signal.raise_signal(signal.SIGINT)
        return update(*args, **kwargs)

    monkeypatch.setattr(model.optimizer, "_update", interrupted_update)


def test_ctrl_c_inside_a_step_stops_fit_after_that_step(monkeypatch):
    x, y = _data()
    model = _model()
    _interrupt_update_at(model, monkeypatch, STEPS_PER_EPOCH + 3)
    seen = []
    with pytest.raises(KeyboardInterrupt):
        model.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0,
                  callbacks=[kernas.callbacks.LambdaCallback(on_train_batch_end=lambda b, logs: seen.append(b))])
    _assert_state(model, _after_steps(STEPS_PER_EPOCH + 3))
    assert model.optimizer.iterations == STEPS_PER_EPOCH + 3
    assert seen == [0, 1, 2, 3, 0, 1]  # the interrupted step's callbacks did not run
    assert list(model.history.history) == ["accuracy", "loss"] and len(model.history.history["loss"]) == 1
    assert model.history.epoch == [0]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    monkeypatch.undo()
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)  # the model is usable again


def test_ctrl_c_inside_train_on_batch_completes_the_step(monkeypatch):
    x, y = _data()
    model = _model()
    model.train_on_batch(x[:8], y[:8])
    _interrupt_update_at(model, monkeypatch, 1)
    with pytest.raises(KeyboardInterrupt):
        model.train_on_batch(x[8:16], y[8:16])
    _assert_state(model, _after_steps(2))
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_ctrl_c_between_steps_stops_at_once():
    x, y = _data()
    model = _model()

    def interrupt(batch, logs):
        if batch == 2:
            signal.raise_signal(signal.SIGINT)

    with pytest.raises(KeyboardInterrupt):
        model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0,
                  callbacks=[kernas.callbacks.LambdaCallback(on_train_batch_end=interrupt)])
    _assert_state(model, _after_steps(3))
    assert model.history.history == {}


def test_a_users_own_sigint_handler_runs_after_the_step_and_is_restored(monkeypatch):
    x, y = _data()
    model = _model()
    model.train_on_batch(x[:8], y[:8])
    _interrupt_update_at(model, monkeypatch, 2)
    received = []

    def handler(signum, frame):
        received.append((signum, model.optimizer.iterations))

    previous = signal.signal(signal.SIGINT, handler)
    try:
        model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
        assert signal.getsignal(signal.SIGINT) is handler
    finally:
        signal.signal(signal.SIGINT, previous)
    assert received == [(signal.SIGINT, 3)]  # called once the interrupted step (the model's 3rd) was complete
    assert model.optimizer.iterations == 1 + STEPS_PER_EPOCH


class _Boom(Exception):
    pass


@pytest.mark.parametrize("error", [_Boom, KeyboardInterrupt])
def test_an_exception_in_a_callback_leaves_the_completed_steps_and_epochs(error):
    x, y = _data()
    model = _model()

    def fail(batch, logs):
        if model.optimizer.iterations == STEPS_PER_EPOCH + 2:
            raise error("stop here")

    with pytest.raises(error, match="stop here"):
        model.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0,
                  callbacks=[kernas.callbacks.LambdaCallback(on_train_batch_end=fail)])
    _assert_state(model, _after_steps(STEPS_PER_EPOCH + 2))
    assert len(model.history.history["loss"]) == 1
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)  # nothing stays locked


def test_an_exception_at_epoch_end_keeps_that_epochs_weights():
    x, y = _data()
    model = _model()

    def fail(epoch, logs):
        if epoch == 1:
            raise _Boom("epoch end")

    with pytest.raises(_Boom):
        model.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0,
                  callbacks=[kernas.callbacks.LambdaCallback(on_epoch_end=fail)])
    _assert_state(model, _after_steps(2 * STEPS_PER_EPOCH))
    assert model.history.epoch == [0]


def test_a_second_ctrl_c_during_a_step_stops_at_once(monkeypatch):
    x, y = _data()
    model = _model()
    update = model.optimizer._update
    reached = []

    def twice_interrupted_update(*args, **kwargs):
        signal.raise_signal(signal.SIGINT)
        signal.raise_signal(signal.SIGINT)
        reached.append(True)  # not reached: the second signal is raised right here
        return update(*args, **kwargs)

    monkeypatch.setattr(model.optimizer, "_update", twice_interrupted_update)
    with pytest.raises(KeyboardInterrupt):
        model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    assert reached == [] and model.optimizer.iterations == 0
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_handler_installed_during_fit_is_kept():
    x, y = _data()
    model = _model()

    def own(signum, frame):
        pass

    def install(epoch, logs):
        signal.signal(signal.SIGINT, own)

    try:
        model.fit(x, y, batch_size=8, epochs=1, verbose=0,
                  callbacks=[kernas.callbacks.LambdaCallback(on_epoch_begin=install)])
        assert signal.getsignal(signal.SIGINT) is own
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)
