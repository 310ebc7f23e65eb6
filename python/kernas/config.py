"""Process-wide settings of the native kernels: threads and kernel set."""

import operator

from kernas import _core


def get_num_threads():
    """Returns how many threads the kernels use.

    It starts at OpenMP's default, which honours the ``OMP_NUM_THREADS``
    environment variable. Results are bitwise identical for any thread count.
    """
    return _core.num_threads()


def set_num_threads(n):
    """Sets how many threads every later kernel call may use.

    Args:
        n: an integer from 1 to 1024.
    """
    if isinstance(n, bool) or not hasattr(n, "__index__"):
        raise TypeError(f"Expected an integer thread count. Received: n={n!r} of type {type(n).__name__}.")
    n = operator.index(n)
    if not 1 <= n <= _core.MAX_THREADS:  # checked here too: a huge n does not fit the binding's int
        raise ValueError(f"Expected a thread count between 1 and {_core.MAX_THREADS}. Received: n={n}.")
    _core.set_num_threads(n)


def cpu_features():
    """Returns the name of the kernel set in use: ``"avx2-fma"`` or ``"reference"``.

    The best set this CPU supports is chosen at import; the environment
    variable ``KERNAS_ARCH=reference`` forces the portable kernels.
    """
    return _core.active_arch()


def available_cpu_features():
    """Returns the kernel sets this CPU can run, best last."""
    return list(_core.supported_archs())


def set_cpu_features(name):
    """Selects the kernel set by name, as ``KERNAS_ARCH`` does at import.

    Args:
        name: one of ``available_cpu_features()``.
    """
    if not isinstance(name, str):
        raise TypeError(f"Expected a kernel-set name (str). Received: name={name!r}.")
    _core.set_active_arch(name)
