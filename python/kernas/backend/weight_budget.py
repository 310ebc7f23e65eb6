"""Caps on the weights a layer may allocate: the machine's memory, and the file a model loads from.

Every new weight passes ``reserve`` before a byte of it is allocated:

* A shape whose creation needs more memory than the machine has available
  (``Dense(10**7)`` on 10**6 inputs) is refused with a ValueError naming the
  weight, its shape and the bytes, rather than left to Linux's overcommit,
  which lets the allocation succeed and then kills the process (a
  notebook's kernel) once the initializer writes the pages.
* A config can declare any shape (``Dense(units=10**12)``), and building the
  model allocates it before a single byte of the weights file is read. While
  a file loads, every new weight is charged against the bytes the file can
  hold, so a declared shape far larger than the file is refused before
  allocating.
"""

import contextlib
import contextvars
import math
import os

_BUDGET = contextvars.ContextVar("kernas_weight_budget", default=None)


class _Budget:
    def __init__(self, max_bytes, source):
        self.remaining = max_bytes
        self.max_bytes = max_bytes
        self.source = source


@contextlib.contextmanager
def weight_budget(max_bytes, source):
    """Weights created inside the block may total at most ``max_bytes`` (the weights ``source`` holds)."""
    token = _BUDGET.set(_Budget(max_bytes, source))
    try:
        yield
    finally:
        _BUDGET.reset(token)


# Creating a float32 weight peaks at about three times its size: the
# initializers draw in float64 (8 bytes an element) and cast to float32.
_CREATION_PEAK = 3
# Below this many bytes memory is taken without asking the system (reading /proc costs more than it).
_SMALL_BYTES = 64 * 2**20


def available_memory():
    """Bytes of memory the system can give this process now (Linux's MemAvailable), else its physical memory.

    ``None`` where the platform tells neither.
    """
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def byte_text(nbytes):
    """``nbytes`` for a person: '1.5 GiB'."""
    for unit, size in (("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if nbytes >= size:
            return f"{nbytes / size:.3g} {unit}"
    return f"{nbytes} bytes"


def require_memory(nbytes, describe):
    """ValueError unless the machine has ``nbytes`` available. Small requests are let through unasked.

    ``describe()`` gives ``(expected, received, fix)`` for the message "Expected <expected> to fit in memory.
    Received: <received>, ... <fix>"; it runs only when refusing (per-step callers must not pay for it).
    """
    if nbytes <= _SMALL_BYTES:
        return
    available = available_memory()
    if available is not None and nbytes > available:
        expected, received, fix = describe()
        raise ValueError(f"Expected {expected} to fit in memory. Received: {received}, but this machine has "
                         f"{available} bytes ({byte_text(available)}) of memory available. {fix}")


def _check_memory(shape, path, nbytes):
    peak = _CREATION_PEAK * nbytes
    require_memory(peak, lambda: (
        f"the weights of layer '{path.split('/')[0]}'",
        f"weight '{path}' of shape {tuple(shape)}, {nbytes} bytes ({byte_text(nbytes)}) as float32 and about "
        f"{byte_text(peak)} while its initializer runs",
        "Use fewer units or filters, or smaller inputs."))


def reserve(shape, path, itemsize=4):
    """Admits a new weight of ``shape``, or raises ValueError before allocating it.

    Refused: a weight the machine's available memory cannot hold while it is
    created, and, inside ``weight_budget``, one taking the weights past what
    the file being loaded holds (the weight is then charged to that budget).
    ``path`` is ``"<layer name>/<weight name>"``.
    """
    nbytes = math.prod(shape) * itemsize
    budget = _BUDGET.get()
    # The file's budget first: while loading, "larger than the file" is the more telling refusal.
    if budget is not None and nbytes > budget.remaining:
        raise ValueError(
            f"Expected the model described by {budget.source} to fit the weights the file holds "
            f"({budget.max_bytes} bytes). Received: variable '{path}' of shape {tuple(shape)} "
            f"({nbytes} bytes) takes it past that. The file is corrupt or was crafted; kernas refuses it "
            "before allocating."
        )
    _check_memory(shape, path, nbytes)
    if budget is not None:
        budget.remaining -= nbytes
