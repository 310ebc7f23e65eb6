"""kernas.saving.hdf5_probe: a legacy HDF5 file is walked in a child process first, so libhdf5 cannot crash kernas.

tests/fixtures/corrupt/ holds legacy files on which libhdf5 itself segfaults or
loops forever (see its README): they must give a ValueError, in this process.
"""

import io
import os
import pathlib
import signal

import numpy as np
import pytest

import kernas
from kernas.saving import hdf5_probe

HERE = pathlib.Path(__file__).resolve().parent
CORRUPT = HERE / "fixtures" / "corrupt"
LEGACY = HERE / "fixtures" / "legacy"
KERAS3 = HERE / "fixtures" / "keras3"


def legacy_dense_model():
    # keras2_dense.h5's architecture (standalone Keras 2.2.4: Dense 5 -> 8 relu -> 3 softmax).
    return kernas.models.load_model(LEGACY / "keras2_dense.h5", compile=False)


@pytest.fixture
def fast_timeout(monkeypatch):
    # The hanging fixture loops forever: any limit ends it; a short one keeps the suite fast.
    monkeypatch.setattr(hdf5_probe, "_TIMEOUT_S", 2.0)


def test_load_model_refuses_a_file_that_crashes_libhdf5():
    with pytest.raises(ValueError, match=r"crashed \(SIGSEGV\).*corrupt"):
        kernas.models.load_model(CORRUPT / "keras2_dense_segv.h5")


def test_load_weights_refuses_a_file_that_crashes_libhdf5():
    model = legacy_dense_model()
    before = [v.numpy() for v in model.weights]
    with pytest.raises(ValueError, match=r"crashed \(SIGSEGV\)"):
        model.load_weights(CORRUPT / "keras2_dense_segv.h5")
    for variable, value in zip(model.weights, before):
        np.testing.assert_array_equal(variable.numpy(), value)


def test_a_file_that_hangs_libhdf5_is_refused_after_the_time_limit(fast_timeout):
    with pytest.raises(ValueError, match="did not finish within 2 s.*corrupt"):
        kernas.models.load_model(CORRUPT / "keras2_dense_hang.h5")


def test_a_genuine_file_passes_and_is_read_from_the_bytes_probed(tmp_path):
    path = tmp_path / "copy.h5"
    path.write_bytes((LEGACY / "keras2_dense.h5").read_bytes())
    source = hdf5_probe.probed_file(path, "filepath=copy.h5")
    assert isinstance(source, io.BytesIO)
    assert source.getvalue() == path.read_bytes()


@pytest.mark.parametrize("child, message", [
    ("import os, signal; os.kill(os.getpid(), signal.SIGSEGV)", r"crashed \(SIGSEGV\)"),
    ("import os, signal; os.kill(os.getpid(), signal.SIGABRT)", r"crashed \(SIGABRT\)"),
    ("import os, signal; os.kill(os.getpid(), signal.SIGKILL)", r"crashed \(SIGKILL\)"),
])
def test_a_child_killed_by_a_signal_means_a_corrupt_file(monkeypatch, child, message):
    if os.name == "nt":
        pytest.skip("POSIX signals")
    monkeypatch.setattr(hdf5_probe, "_CHILD", child)
    with pytest.raises(ValueError, match=message + ".*The file is corrupt"):
        hdf5_probe.probe(b"", "filepath=x.h5")


def test_a_child_that_does_not_finish_means_a_corrupt_file(monkeypatch):
    monkeypatch.setattr(hdf5_probe, "_CHILD", "import time; time.sleep(60)")
    with pytest.raises(ValueError, match=r"did not finish within 0 s.*The file is corrupt"):
        hdf5_probe.probe(b"", "filepath=x.h5", timeout=0.3)


def test_a_child_that_cannot_run_is_reported_as_such(monkeypatch):
    monkeypatch.setattr(hdf5_probe, "_CHILD", "import sys; sys.exit('no h5py here')")
    with pytest.raises(ValueError, match="exit status 1 \\(no h5py here\\).*python -I"):
        hdf5_probe.probe(b"", "filepath=x.h5")


def test_the_crash_name_of_each_exit_status():
    assert hdf5_probe._crash_name(-signal.SIGSEGV) == "SIGSEGV"
    assert hdf5_probe._crash_name(-200) == "signal 200"
    assert hdf5_probe._crash_name(0) is None
    assert hdf5_probe._crash_name(1) is None


def test_keras3_files_are_read_without_a_probe(monkeypatch, tmp_path):
    """Keras 3 weights are read without attribute values, so they skip the child process (and its cost)."""
    def refuse(data, label, timeout=None):
        raise AssertionError("a Keras 3 file was probed")

    monkeypatch.setattr(hdf5_probe, "probe", refuse)
    model = kernas.models.load_model(KERAS3 / "dense_adam.keras")
    model.save_weights(tmp_path / "m.weights.h5")
    model.load_weights(tmp_path / "m.weights.h5")
    model.load_weights(KERAS3 / "dense_adam.keras")
