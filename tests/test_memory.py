"""Long loops of predict and train_on_batch keep a flat resident set and fault in no new pages."""

import os
import resource

import numpy as np
import pytest

import kernas
from kernas import _core, layers

CALLS = 10_000
# Generous: a leak of 200 bytes per call would already exceed it.
RSS_GROWTH_LIMIT = 2 * 1024 * 1024
# A step that took fresh memory from the OS (new buffers, or freed ones handed back) faults in
# pages every call: thousands over the loop. Steady state reuses what the last step freed.
PAGE_FAULT_LIMIT = 200

pytestmark = pytest.mark.skipif(
    _core.sanitizers != "", reason="sanitizer builds keep freed memory in quarantine; memory is measured unsanitized")


def _resident_bytes():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _minor_faults():
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


@pytest.fixture(scope="module")
def model_and_data():
    kernas.utils.set_random_seed(1)
    model = kernas.Sequential([
        kernas.Input(shape=(8, 8, 2)),
        layers.Conv2D(4, 3, activation="relu"),
        layers.BatchNormalization(),
        layers.MaxPooling2D(2),
        layers.Dropout(0.2),
        layers.Flatten(),
        layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    rng = np.random.default_rng(0)
    return model, rng.normal(size=(16, 8, 8, 2)).astype(np.float32), np.arange(16) % 10


@pytest.mark.parametrize("method", ["predict", "train_on_batch"])
def test_ten_thousand_calls_keep_memory_flat(model_and_data, method):
    model, x, y = model_and_data
    call = (lambda: model.predict(x, verbose=0)) if method == "predict" else (lambda: model.train_on_batch(x, y))
    for _ in range(500):  # warm up: first-use buffers, caches, interned objects
        call()
    resident, faults = _resident_bytes(), _minor_faults()
    for _ in range(CALLS):
        call()
    assert _resident_bytes() - resident < RSS_GROWTH_LIMIT
    assert _minor_faults() - faults < PAGE_FAULT_LIMIT
    assert np.isfinite(model.predict(x, verbose=0)).all()


def test_a_leak_would_be_seen():
    resident = _resident_bytes()
    kept = [np.ones(64, np.float64) for _ in range(CALLS)]  # 10k small arrays: about 1.3 MB of a leak's kind
    kept += [np.ones(128, np.float64) for _ in range(CALLS)]
    assert _resident_bytes() - resident > RSS_GROWTH_LIMIT
    assert len(kept) == 2 * CALLS
