"""Which threads are using a model, so that training never runs beside other use from another thread.

The kernels release the GIL, so Python threads really do run a model at the
same time. Reading it from several threads (``predict``) is safe: inference
changes nothing. Changing it (``fit``, ``evaluate``, ``train_on_batch``,
``set_weights``, ...) while another thread reads or changes it would mix the
weights of two steps, so that is refused with an error instead of waited for:
a training call can last minutes, and a silent wait looks like a hang.

The same thread may nest uses freely: a callback may ``evaluate`` or
``predict`` inside ``fit``, and ``fit`` runs ``evaluate`` on validation data.
"""

import threading
from contextlib import contextmanager


class ModelUse:
    """The threads reading and the thread changing one model."""

    def __init__(self, model):
        self._model = model
        self._lock = threading.Lock()
        self._writer = None  # (thread id, method) of the thread changing the model
        self._writer_depth = 0
        self._readers = {}  # thread id -> nesting depth
        # Held while a model builds on first use, so threads predicting at once build it once.
        self.first_build = threading.Lock()

    def _refusal(self, method, other_method, other_changes):
        doing = "changing it with" if other_changes else "using it for"
        return RuntimeError(
            f"Cannot call `{method}()` on model '{self._model.name}': another thread is {doing} "
            f"`{other_method}()`. A model can be read (predict) from many threads at once, but it cannot be "
            "trained, evaluated or given new weights while another thread uses it. Wait for the other call to "
            "finish, or give each thread its own copy (copy.deepcopy(model))."
        )

    @contextmanager
    def reading(self, method):
        """Held by calls that only read the weights (predict)."""
        me = threading.get_ident()
        with self._lock:
            if self._writer is not None and self._writer[0] != me:
                raise self._refusal(method, self._writer[1], True)
            self._readers[me] = self._readers.get(me, 0) + 1
        try:
            yield
        finally:
            with self._lock:
                depth = self._readers.pop(me) - 1
                if depth:
                    self._readers[me] = depth

    @contextmanager
    def changing(self, method):
        """Held by calls that change the weights, the optimizer or the metrics."""
        me = threading.get_ident()
        with self._lock:
            if self._writer is not None and self._writer[0] != me:
                raise self._refusal(method, self._writer[1], True)
            if any(thread != me for thread in self._readers):
                raise self._refusal(method, "predict", False)
            if self._writer is None:
                self._writer = (me, method)
            self._writer_depth += 1
        try:
            yield
        finally:
            with self._lock:
                self._writer_depth -= 1
                if not self._writer_depth:
                    self._writer = None
