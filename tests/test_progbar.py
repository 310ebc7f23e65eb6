"""kernas.utils.Progbar and ProgbarLogger against Keras 3's, byte for byte.

Both libraries read ``time.time()`` the same number of times in the same
order, so a fake clock makes their output deterministic and comparable
without normalising anything.
"""

import io
import itertools
import re
import sys
import time

import pytest

from kernas.callbacks import CallbackList
from kernas.utils import Progbar

_ANSI = re.compile(r"\x1b\[\d+m")


class _Stdout(io.StringIO):
    """A stdout that says whether it is a terminal and remembers each write."""

    def __init__(self, tty):
        super().__init__()
        self.tty = tty
        self.writes = []

    def isatty(self):
        return self.tty

    def write(self, text):
        self.writes.append(text)
        return super().write(text)


@pytest.fixture
def fake_clock(monkeypatch):
    """Replaces time.time by a clock that advances ``step`` seconds per call."""

    def install(step):
        counter = itertools.count()
        monkeypatch.setattr(time, "time", lambda: 1000.0 + next(counter) * step)

    return install


def _capture(monkeypatch, tty, body):
    out = _Stdout(tty)
    monkeypatch.setattr(sys, "stdout", out)
    try:
        body()
    finally:
        monkeypatch.undo()
    return out


def _plain_from_dynamic(writes):
    """What kernas prints off a terminal, derived from Keras's terminal output.

    Keras's final redraw of a bar (the text after its last carriage return,
    colours removed, padding dropped) becomes one line; intermediate redraws
    vanish; every other message stays as it is.
    """
    lines = []
    for text in writes:
        if "\r" not in text:
            lines.append(text)
        elif text.endswith("\n"):
            lines.append(_ANSI.sub("", text.rsplit("\r", 1)[1]).rstrip("\n").rstrip(" ") + "\n")
    return "".join(lines)


STEPS = [0.0004, 0.03, 0.2, 2.0, 30.0, 700.0, 4000.0]
BAR_ARGS = [
    dict(target=10),
    dict(target=10, stateless_metrics=set()),
    dict(target=10, stateful_metrics={"acc"}),
    dict(target=10, verbose=2),
    dict(target=10, width=7, unit_name="sample"),
    dict(target=None),
    dict(target=10, interval=0),
    dict(target=1234),
]


def _updates():
    # Values that exercise both number formats (4 decimals, scientific) and signs.
    return [(i, [("loss", 1.0 / i), ("acc", 0.1 * i), ("tiny", -1e-5 * i)]) for i in range(1, 11)]


def _run_bar(cls, monkeypatch, fake_clock, tty, step, force_dynamic=None, **kwargs):
    fake_clock(step)

    def body():
        bar = cls(**kwargs)
        if force_dynamic is not None:
            bar._dynamic_display = force_dynamic
        for current, values in _updates():
            bar.update(current, values)
        bar.update(10, [("loss", 0.5)], finalize=True)

    return _capture(monkeypatch, tty, body)


@pytest.mark.parametrize("step", STEPS)
@pytest.mark.parametrize("kwargs", BAR_ARGS, ids=lambda kw: ",".join(f"{k}={v}" for k, v in kw.items()))
def test_progbar_terminal_output_is_keras_bytes(keras, monkeypatch, fake_clock, step, kwargs):
    from keras.src.utils.progbar import Progbar as KerasProgbar

    expected = _run_bar(KerasProgbar, monkeypatch, fake_clock, True, step, force_dynamic=True, **kwargs).getvalue()
    received = _run_bar(Progbar, monkeypatch, fake_clock, True, step, **kwargs).getvalue()
    assert received == expected


@pytest.mark.parametrize("step", STEPS)
@pytest.mark.parametrize("kwargs", BAR_ARGS, ids=lambda kw: ",".join(f"{k}={v}" for k, v in kw.items()))
def test_progbar_off_terminal_prints_keras_final_line_only(keras, monkeypatch, fake_clock, step, kwargs):
    from keras.src.utils.progbar import Progbar as KerasProgbar

    keras_out = _run_bar(KerasProgbar, monkeypatch, fake_clock, True, step, force_dynamic=True, **kwargs)
    received = _run_bar(Progbar, monkeypatch, fake_clock, False, step, **kwargs).getvalue()
    expected = keras_out.getvalue() if kwargs.get("verbose") == 2 else _plain_from_dynamic(keras_out.writes)
    assert received == expected
    assert "\r" not in received and "\b" not in received and "\x1b" not in received


def test_progbar_off_terminal_one_line_per_finished_bar(monkeypatch, fake_clock):
    fake_clock(0.01)

    def body():
        bar = Progbar(target=3)
        for step in (1, 2, 3):
            bar.update(step, [("loss", 0.25)])

    out = _capture(monkeypatch, False, body).getvalue()
    assert out == "3/3 ━━━━━━━━━━━━━━━━━━━━ 0s 10ms/step - loss: 0.2500\n"


def test_progbar_time_units(monkeypatch, fake_clock):
    for step, unit in [(2.5, " 2s/step"), (0.25, " 250ms/step"), (0.00025, " 250us/step")]:
        fake_clock(step)

        def body():
            bar = Progbar(target=2, verbose=2)
            bar.update(1)
            bar.update(2)

        assert unit in _capture(monkeypatch, False, body).getvalue()


def test_progbar_rejects_both_metric_lists():
    with pytest.raises(ValueError, match="stateful_metrics"):
        Progbar(10, stateful_metrics=["a"], stateless_metrics=["b"])
    with pytest.raises(ValueError, match="verbose"):
        Progbar(10, verbose=3)


def test_progbar_unencodable_stdout_falls_back_to_equals(monkeypatch, fake_clock):
    fake_clock(0.01)
    raw = io.BytesIO()
    ascii_out = io.TextIOWrapper(raw, encoding="ascii")

    monkeypatch.setattr(sys, "stdout", ascii_out)
    Progbar(target=1, width=4).update(1)
    ascii_out.flush()
    monkeypatch.undo()
    assert raw.getvalue().decode() == "1/1 ==== 0s 10ms/step\n"


# ----- ProgbarLogger through CallbackList, as fit / evaluate / predict drive it -----------------


def _drive(module, tty, mode, verbose, epochs, steps, monkeypatch, fake_clock):
    """Runs fit (with silent validation), evaluate or predict hooks through a CallbackList."""
    fake_clock(0.013)

    def body():
        if module == "keras":
            import keras

            # A ProgbarLogger in the list keeps Keras's dispatch synchronous (deterministic output).
            logger = keras.callbacks.ProgbarLogger()
            callbacks = keras.callbacks.CallbackList([logger], model=object(), verbose=verbose, epochs=epochs,
                                                     steps=steps)
            logger._called_in_fit = False
        else:
            callbacks = CallbackList(add_progbar=True, model=object(), verbose=verbose, epochs=epochs, steps=steps)
        if mode == "fit":
            callbacks.on_train_begin()
            for epoch in range(epochs):
                callbacks.on_epoch_begin(epoch)
                for step in range(steps or 4):
                    callbacks.on_train_batch_begin(step)
                    callbacks.on_train_batch_end(step, {"loss": 2.0 / (step + 1 + epoch), "accuracy": 0.1 * step})
                callbacks.on_test_begin()
                for step in range(2):
                    callbacks.on_test_batch_begin(step)
                    callbacks.on_test_batch_end(step, {"loss": 9.0})
                callbacks.on_test_end({"loss": 9.0})
                callbacks.on_epoch_end(epoch, {"loss": 0.5, "accuracy": 0.75, "val_loss": 0.0001, "val_accuracy": 0.5})
            callbacks.on_train_end()
        elif mode == "evaluate":
            callbacks.on_test_begin()
            for step in range(steps or 4):
                callbacks.on_test_batch_begin(step)
                callbacks.on_test_batch_end(step, {"loss": 1.0 + step, "mae": 0.5})
            callbacks.on_test_end({"loss": 2.5, "mae": 0.5})
        else:
            callbacks.on_predict_begin()
            for step in range(steps or 4):
                callbacks.on_predict_batch_begin(step)
                callbacks.on_predict_batch_end(step, {"outputs": [[1.0, 2.0]]})
            callbacks.on_predict_end()

    return _capture(monkeypatch, tty, body)


@pytest.mark.parametrize("mode", ["fit", "evaluate", "predict"])
@pytest.mark.parametrize("verbose", [1, 2, "auto"])
@pytest.mark.parametrize("epochs,steps", [(3, 5), (1, 12), (2, None)])
def test_progbar_logger_matches_keras(keras, monkeypatch, fake_clock, mode, verbose, epochs, steps):
    expected = _drive("keras", True, mode, verbose, epochs, steps, monkeypatch, fake_clock)
    received_tty = _drive("kernas", True, mode, verbose, epochs, steps, monkeypatch, fake_clock).getvalue()
    received_plain = _drive("kernas", False, mode, verbose, epochs, steps, monkeypatch, fake_clock).getvalue()
    assert received_tty == expected.getvalue()
    assert received_plain == _plain_from_dynamic(expected.writes)


def test_progbar_logger_fit_off_terminal_prints_two_lines_per_epoch(monkeypatch, fake_clock):
    out = _drive("kernas", False, "fit", 1, 3, 5, monkeypatch, fake_clock).getvalue()
    lines = out.splitlines()
    assert len(lines) == 6
    assert lines[0] == "Epoch 1/3"
    assert re.fullmatch(
        r"5/5 ━{20} \d+s \d+ms/step - accuracy: 0\.7500 - loss: 0\.5000 - val_accuracy: 0\.5000 - "
        r"val_loss: 1\.0000e-04",
        lines[1],
    )


def test_progbar_add_advances_like_keras(keras, monkeypatch, fake_clock):
    from keras.src.utils.progbar import Progbar as KerasProgbar

    def run(cls):
        fake_clock(0.5)

        def body():
            bar = cls(target=4, verbose=2)
            bar.add(2, [("loss", 1.0)])
            bar.add(2, [("loss", 3.0)])  # the last step finalizes: the value is shown as given

        return _capture(monkeypatch, False, body).getvalue()

    assert run(Progbar) == run(KerasProgbar) == "4/4 - 1s - 250ms/step - loss: 3.0000\n"
