"""kernas.config: thread count and kernel-set selection, including the
environment variables read at start-up (checked in fresh interpreters)."""

import os
import subprocess
import sys
from importlib import metadata

import numpy as np
import pytest

import kernas


def run_python(code, **env):
    """Runs code in a fresh interpreter; returns (exit code, stdout, stderr)."""
    full_env = dict(os.environ, OPENBLAS_NUM_THREADS="1", **env)
    for name, value in env.items():
        if value is None:
            full_env.pop(name)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=full_env, timeout=120)
    return done.returncode, done.stdout.strip(), done.stderr


def test_version_matches_the_installed_metadata():
    assert isinstance(kernas.__version__, str) and kernas.__version__.count(".") >= 2
    try:
        installed = metadata.version("kernas")
    except metadata.PackageNotFoundError:
        pytest.skip("kernas is imported from a source tree, not installed")
    assert installed == kernas.__version__


def test_set_num_threads_round_trips(restore_threads):
    for n in (1, 3, 2):
        kernas.config.set_num_threads(n)
        assert kernas.config.get_num_threads() == n
    kernas.config.set_num_threads(np.int64(2))
    assert kernas.config.get_num_threads() == 2


@pytest.mark.parametrize("bad", [0, -1, 1025, 10**12])
def test_out_of_range_thread_count_is_a_value_error(bad):
    with pytest.raises(ValueError, match="between 1 and 1024"):
        kernas.config.set_num_threads(bad)


def test_core_rejects_out_of_range_thread_counts_too():
    from kernas import _core

    for bad in (0, 1025):
        with pytest.raises(ValueError, match="between 1 and 1024"):
            _core.set_num_threads(bad)


@pytest.mark.parametrize("bad", [1.5, "2", None, True])
def test_non_integer_thread_count_is_a_type_error(bad):
    with pytest.raises(TypeError, match="integer"):
        kernas.config.set_num_threads(bad)


THREADS_IN_USE = """
import os, numpy as np, kernas
def threads_after_gemm(n):
    kernas.config.set_num_threads(n)
    a = np.ones((600, 600), np.float32)
    kernas.ops.matmul(a, a)
    return len(os.listdir('/proc/self/task'))
print(kernas.config.get_num_threads(), threads_after_gemm(1), threads_after_gemm(3))
"""


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="needs Linux /proc to count threads")
def test_thread_count_really_changes_the_threads_used():
    code, out, err = run_python(THREADS_IN_USE, OMP_NUM_THREADS="3")
    assert code == 0, err
    start, with_one, with_three = map(int, out.split())
    assert start == 3  # OMP_NUM_THREADS is honoured at start
    assert with_one == 1  # one thread: no worker threads were started
    assert with_three == 3


def test_omp_num_threads_is_the_default():
    code, out, err = run_python("import kernas; print(kernas.config.get_num_threads())", OMP_NUM_THREADS="5")
    assert code == 0, err
    assert out == "5"


def test_cpu_features_names_an_available_kernel_set():
    available = kernas.config.available_cpu_features()
    assert available[0] == "reference"
    assert set(available) <= {"reference", "avx2-fma"}
    assert kernas.config.cpu_features() in available


def test_default_kernel_set_is_the_best_available():
    code, out, err = run_python("import kernas; print(kernas.config.cpu_features())", KERNAS_ARCH=None)
    assert code == 0, err
    assert out == kernas.config.available_cpu_features()[-1]


def test_kernas_arch_environment_forces_the_reference_kernels():
    code, out, err = run_python(
        "import kernas, numpy as np; print(kernas.config.cpu_features(), kernas.ops.matmul(np.eye(2), np.eye(2)).sum())",
        KERNAS_ARCH="reference",
    )
    assert code == 0, err
    assert out == "reference 2.0"


def test_unknown_kernas_arch_fails_the_import_with_a_clear_message():
    code, _, err = run_python("import kernas", KERNAS_ARCH="sse9")
    assert code != 0
    assert "ImportError" in err and "KERNAS_ARCH" in err and "sse9" in err and "reference" in err


def test_set_cpu_features_rejects_unknown_names():
    with pytest.raises(ValueError, match="Unknown kernel set 'neon'.*reference"):
        kernas.config.set_cpu_features("neon")
    with pytest.raises(TypeError):
        kernas.config.set_cpu_features(1)


def test_set_cpu_features_switches_the_kernels(kernel_set):
    assert kernas.config.cpu_features() == kernel_set


LIBGOMP_LOADED = "any('libgomp' in line for line in open('/proc/self/maps'))"


def test_short_openmp_spin_is_set_before_libgomp_loads():
    code = (f"import os, numpy; before = {LIBGOMP_LOADED}; import kernas; "
            f"print(before, os.environ['GOMP_SPINCOUNT'], {LIBGOMP_LOADED})")
    status, out, err = run_python(code, GOMP_SPINCOUNT=None, OMP_WAIT_POLICY=None)
    assert status == 0, err
    assert out == "False 1000 True"  # libgomp reads the variable when it loads, after kernas set it


@pytest.mark.parametrize("name, value", [("GOMP_SPINCOUNT", "250000"), ("OMP_WAIT_POLICY", "active")])
def test_the_users_openmp_wait_settings_are_kept(name, value):
    env = {"GOMP_SPINCOUNT": None, "OMP_WAIT_POLICY": None, name: value}
    status, out, err = run_python("import os, kernas; print(os.environ.get('GOMP_SPINCOUNT'))", **env)
    assert status == 0, err
    assert out == (value if name == "GOMP_SPINCOUNT" else "None")
