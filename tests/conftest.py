import faulthandler
import os
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

import kernas
from kernas.backend import weight_budget

# Property-based tests (marked `fuzz`): CI runs a fixed, small budget with a
# fixed seed, so a run is reproducible and bounded; the "long" profile explores
# freshly each time:  python -m pytest tests -m fuzz --hypothesis-profile=long
_FUZZ_COMMON = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
                    print_blob=True)
settings.register_profile("ci", max_examples=60, derandomize=True, **_FUZZ_COMMON)
settings.register_profile("long", max_examples=3000, **_FUZZ_COMMON)
settings.load_profile("ci")

# Seconds a fuzz test may run per 60 examples before the process dumps every
# thread's stack and exits: a hang (in native code too) must fail the run, not
# stall it. A test at the "ci" budget takes a few seconds.
FUZZ_HANG_LIMIT_S = 120


@pytest.fixture(autouse=True)
def _fail_on_hang(request):
    """Turns a hung fuzz test into a failure with a traceback, instead of a stalled CI run."""
    if request.node.get_closest_marker("fuzz") is None:
        yield
        return
    limit = FUZZ_HANG_LIMIT_S * max(1.0, settings.default.max_examples / 60)
    # The real stderr: pytest captures at the sys level only (pyproject's addopts), so the stacks reach the log.
    faulthandler.dump_traceback_later(limit, exit=True, file=sys.__stderr__)
    try:
        yield
    finally:
        faulthandler.cancel_dump_traceback_later()


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


@pytest.fixture(scope="module")
def small_machine():
    """Memory checks see a machine with 256 MiB available, so an absurd weight or result is refused on any
    machine, and quickly."""
    real = weight_budget.available_memory
    weight_budget.available_memory = lambda: 256 * 2**20
    yield
    weight_budget.available_memory = real


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
