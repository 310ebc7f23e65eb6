import os
import sys

import numpy as np
import pytest

import kernas


@pytest.fixture(params=kernas.config.available_cpu_features())
def kernel_set(request):
    """Runs a test once per kernel set this CPU supports, then restores the default."""
    previous = kernas.config.cpu_features()
    kernas.config.set_cpu_features(request.param)
    yield request.param
    kernas.config.set_cpu_features(previous)


@pytest.fixture
def restore_threads():
    previous = kernas.config.get_num_threads()
    yield
    kernas.config.set_num_threads(previous)


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


@pytest.fixture(scope="session")
def keras():
    """Real Keras 3 on its torch backend, as an independent oracle; skips when either is missing."""
    if "keras" not in sys.modules:
        os.environ.setdefault("KERAS_BACKEND", "torch")  # TensorFlow is not installed
    pytest.importorskip("torch")
    keras = pytest.importorskip("keras", exc_type=ImportError)
    if keras.backend.backend() != "torch":
        pytest.skip(f"Keras runs on the {keras.backend.backend()} backend here; these checks feed it torch tensors.")
    return keras
