"""A legacy HDF5 file is walked in a child process before kernas reads it, so a crash in libhdf5 is not ours.

libhdf5 trusts the file's internal structures while it decodes attribute
values: one changed byte in a string attribute's datatype, or in an object
header of the global heap that holds variable-length strings, makes it read out
of bounds (SIGSEGV) or loop forever, and plain h5py does the same, so no check
in Python can come first (tests/fixtures/corrupt/ holds two such files). The
legacy Keras reader (``legacy_h5``) reads attribute values everywhere:
``model_config``, ``training_config``, ``layer_names``, ``weight_names``.
Keras 3 weights (``.weights.h5`` files and the weights inside a ``.keras``
file) are read without any attribute value, only names, links, dataset headers
and contents: every byte of such a file changed in turn (41,000 files) gave no
crash or hang, nor did telling the layouts apart (``legacy_h5.is_legacy``,
attribute names only) on every byte of two legacy files. So only legacy files
are probed, and Keras 3 files load without the child's cost.

``probed_file`` reads the file's bytes once, hands them to a child Python
(``-I``, so no environment variable, user site or current folder can change
what it runs) that opens them with h5py and touches every group, link,
attribute value and dataset header reachable through hard links (not dataset
contents), under a cap on its address space. A child killed by a signal or
still running after the time limit means the file is corrupt; anything else
(including errors h5py raises, which the in-process reader reports with its own
message) lets the load go on, from the same bytes, so the file cannot change
between the check and the read.
"""

import io
import os
import signal
import subprocess
import sys

import h5py
import numpy as np

# A genuine file is walked in well under a second; this leaves room for a loaded machine.
_TIMEOUT_S = 30.0
# Extra time for each 64 MB of the file (its bytes are piped to the child and held there).
_TIMEOUT_S_PER_64MB = 1.0
# Headroom over what the child already maps: h5py's buffers for one attribute at a time.
_ADDRESS_SPACE_SLACK = 1 << 30
_DONE = b"kernas-hdf5-probe-done"

# The child: arguments are the folders holding h5py and numpy (so it imports the ones this process uses),
# the file's bytes come on stdin. Every h5py error is ignored: only a crash or a hang matters here.
_CHILD = r"""
import io, sys
sys.path[:0] = sys.argv[1:]
import h5py
data = sys.stdin.buffer.read()
try:
    import resource
    with open("/proc/self/statm") as statm:
        mapped = int(statm.read().split()[0]) * resource.getpagesize()
    limit = mapped + 2 * len(data) + %(slack)d
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
except (ImportError, OSError, ValueError):
    pass  # no address-space cap on this platform; the walk still runs
def attributes(obj):
    try:
        names = list(obj.attrs)
    except Exception:
        return
    for name in names:
        try:
            obj.attrs[name]
        except Exception:
            pass
def dataset_header(dataset):
    for read in (lambda: dataset.dtype, lambda: dataset.shape, lambda: dataset.chunks,
                 lambda: dataset.external, lambda: dataset.is_virtual):
        try:
            read()
        except Exception:
            pass
seen = set()
def walk(group):
    attributes(group)
    try:
        names = list(group)
    except Exception:
        return
    for name in names:
        try:
            if not isinstance(group.get(name, getlink=True), h5py.HardLink):
                continue
            obj = group[name]
            address = h5py.h5o.get_info(obj.id).addr
        except Exception:
            continue
        if address in seen:
            continue
        seen.add(address)
        if isinstance(obj, h5py.Group):
            walk(obj)
        else:
            attributes(obj)
            if isinstance(obj, h5py.Dataset):
                dataset_header(obj)
try:
    with h5py.File(io.BytesIO(data), "r") as root:
        walk(root)
except Exception:
    pass
sys.stdout.write(%(done)r)
""" % {"slack": _ADDRESS_SPACE_SLACK, "done": _DONE.decode()}


def _child_environment():
    # A preloaded library (a sanitizer runtime, a profiler) can catch the child's crash and exit
    # normally instead: the child runs only h5py and needs none of them.
    environment = {key: value for key, value in os.environ.items() if key != "LD_PRELOAD"}
    return dict(environment, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")


def _crash_name(returncode):
    """The signal a child died of, or ``None`` for an ordinary exit."""
    if returncode >= 0:
        return None
    try:
        return signal.Signals(-returncode).name
    except ValueError:
        return f"signal {-returncode}"


def _corrupt(label, what):
    return ValueError(f"Expected a readable HDF5 file. Received: {label}, on which the HDF5 library {what} while "
                      "reading its internal structures (checked in a separate process, so this one is unharmed). "
                      "The file is corrupt; save it again.")


def probe(data, label, timeout=None):
    """Walks the HDF5 file ``data`` (bytes) in a child process; ValueError if libhdf5 crashes or hangs on it.

    Args:
        data: the whole file.
        label: how errors name the file (``filepath=...``).
        timeout: seconds the walk may take; by default 30 plus 1 per 64 MB.

    Raises:
        ValueError: the child died of a signal or did not finish in time (the
            file is corrupt), or it could not run at all.
    """
    if timeout is None:
        timeout = _TIMEOUT_S + _TIMEOUT_S_PER_64MB * len(data) / (64 << 20)
    folders = list(dict.fromkeys(os.path.dirname(os.path.dirname(m.__file__)) for m in (h5py, np)))
    try:
        child = subprocess.run([sys.executable, "-I", "-c", _CHILD, *folders], input=data, capture_output=True,
                               timeout=timeout, env=_child_environment())
    except subprocess.TimeoutExpired:
        raise _corrupt(label, f"did not finish within {timeout:.0f} s (it loops on damaged structures)") from None
    except OSError as error:
        raise ValueError(f"Expected to check {label} in a child Python process ({sys.executable!r}) before reading "
                         f"it. Received: the process could not start ({error}). Run kernas from a Python whose "
                         "sys.executable can be started.") from None
    crash = _crash_name(child.returncode)
    if crash is not None:
        raise _corrupt(label, f"crashed ({crash})")
    if child.returncode != 0 or _DONE not in child.stdout:
        detail = child.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
        raise ValueError(f"Expected to check {label} in a child Python process ({sys.executable!r}) before reading "
                         f"it. Received: exit status {child.returncode} ({detail[0][:300]}). Check that this Python "
                         "can import h5py in isolated mode (`python -I -c 'import h5py'`).")


def probed_file(path, label):
    """The file at ``path`` as an in-memory file, after ``probe`` walked those very bytes."""
    with open(path, "rb") as file:
        data = file.read()
    probe(data, label)
    return io.BytesIO(data)
