"""Ctrl-C during training: the running step finishes before ``KeyboardInterrupt`` is raised.

One training step changes many arrays one after another: batch-norm moving
statistics in the forward pass, then every weight and optimizer slot, the
iteration count and the metrics. Python runs a SIGINT handler between any two
bytecodes, so a plain ``KeyboardInterrupt`` could land between two of those
changes and leave a model that matches no step at all. While training runs,
the handler installed here only notes a signal that arrives inside a step and
hands it to the previous handler (normally the one raising
``KeyboardInterrupt``) as soon as the step is complete. A second signal during
the same step goes to that handler at once: the way out of a step that takes
too long.
"""

import threading

# The C module under `signal`: the same functions without the enum conversion
# that makes `signal.signal` cost ~10 us, which train_on_batch pays per call.
import _signal as signal


class StepInterrupts:
    """Context manager around a training loop; ``begin_step`` / ``end_step`` mark each step.

    Signals reach only the main thread, so elsewhere (or when SIGINT is
    ignored or left to the OS) nothing is installed and the markers cost two
    attribute writes.
    """

    def __init__(self):
        self._in_step = False
        self._pending = None
        self._previous = None

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            previous = signal.getsignal(signal.SIGINT)
            if callable(previous):
                self._previous = previous
                signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc_info):
        if self._previous is not None:
            # A handler installed meanwhile (by a callback) is the user's choice: keep it.
            if signal.getsignal(signal.SIGINT) == self._handle:
                signal.signal(signal.SIGINT, self._previous)
            self._previous = None
        return False

    def _handle(self, signum, frame):
        # A second Ctrl-C while a step is still running means "stop now", as it does elsewhere.
        if self._in_step and self._pending is None:
            self._pending = (signum, frame)
        else:
            self._pending = None
            self._previous(signum, frame)

    def begin_step(self):
        self._in_step = True

    def end_step(self):
        """Ends a step (also one that raised), delivering a signal that arrived during it."""
        self._in_step = False
        if self._pending is not None:
            signum, frame = self._pending
            self._pending = None
            self._previous(signum, frame)
