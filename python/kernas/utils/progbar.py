"""Keras 3's progress bar (``keras.utils.Progbar``), text for text.

On a terminal (or in Jupyter / PyCharm) ``verbose=1`` redraws one line in place
exactly as Keras 3 does: bold ``n/total``, a green-and-grey bar of ``━``, the ETA
or elapsed time, the time per step and the metrics. Anywhere else (a pipe, a
file, a CI log) the bar prints nothing until the last update of the epoch and
then prints that one line, without colours, carriage returns or backspaces, so
logs stay readable. ``verbose=2`` prints one plain line per epoch, as Keras.
"""

import math
import os
import sys
import time

import numpy as np

_BOLD = "\x1b[1m"
_GREEN = "\x1b[32m"
_GREY = "\x1b[37m"
_RESET = "\x1b[0m"


def print_msg(message, line_break=True):
    """Writes ``message`` to the current ``sys.stdout`` and flushes, as Keras's ``io_utils.print_msg``."""
    message = f"{message}\n" if line_break else str(message)
    try:
        sys.stdout.write(message)
    except UnicodeEncodeError:
        # A stdout that cannot encode the bar character gets Keras 2's "=" bar.
        encoding = sys.stdout.encoding or "utf-8"
        sys.stdout.write(message.replace("━", "=").encode(encoding, errors="ignore").decode(encoding))
    sys.stdout.flush()


def _is_dynamic_display():
    """Whether stdout can redraw a line in place.

    Keras 3 also treats every POSIX system as such a display, which fills logs
    written to files with control codes; kernas leaves that condition out.
    """
    return (
        (hasattr(sys.stdout, "isatty") and sys.stdout.isatty())
        or "ipykernel" in sys.modules
        or "PYCHARM_HOSTED" in os.environ
    )


def _format_time(time_per_unit, unit_name):
    if time_per_unit >= 1 or time_per_unit == 0:
        return f" {time_per_unit:.0f}s/{unit_name}"
    if time_per_unit >= 1e-3:
        return f" {time_per_unit * 1000.0:.0f}ms/{unit_name}"
    return f" {time_per_unit * 1000000.0:.0f}us/{unit_name}"


def _average(entry):
    total, count = entry
    if not isinstance(total, float):
        total = np.mean(total)
    return total / max(1, count)


class Progbar:
    """Displays a progress bar.

    If neither ``stateful_metrics`` nor ``stateless_metrics`` is given, every
    metric is stateless: the bar shows its average over the steps seen.

    Args:
        target: total number of steps expected, ``None`` if unknown.
        width: width of the bar in characters.
        verbose: 0 (silent), 1 (progress bar), 2 (one line at the end).
        interval: minimum time in seconds between two redraws.
        stateful_metrics: names of metrics shown as given (not averaged).
            Give at most one of ``stateful_metrics`` and ``stateless_metrics``.
        stateless_metrics: names of metrics averaged over the steps; every
            other metric is shown as given.
        unit_name: what a step is called in the time per step ("step", "sample").

    Example:

    >>> bar = Progbar(target=3)
    >>> for step in range(1, 4):
    ...     bar.update(step, [("loss", 0.5 / step)])
    """

    def __init__(
        self,
        target,
        width=20,
        verbose=1,
        interval=0.05,
        stateful_metrics=None,
        stateless_metrics=None,
        unit_name="step",
    ):
        if stateful_metrics is not None and stateless_metrics is not None:
            raise ValueError(
                "Expected at most one of `stateful_metrics` and `stateless_metrics`. Received: "
                f"stateful_metrics={stateful_metrics!r}, stateless_metrics={stateless_metrics!r}. "
                "`stateful_metrics` lists the metrics not to average (all others are averaged); "
                "`stateless_metrics` lists the metrics to average (all others are shown as given)."
            )
        if verbose not in (0, 1, 2):
            raise ValueError(f"Expected verbose to be 0, 1 or 2. Received: verbose={verbose!r}.")
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        if stateless_metrics is not None:
            self.stateful_metrics = None
            self.stateless_metrics = set(stateless_metrics)
        else:
            self.stateful_metrics = set(stateful_metrics or ())
            self.stateless_metrics = None
        self._dynamic_display = _is_dynamic_display()
        self._seen_so_far = 0
        self._values = {}
        self._values_order = []
        self._start = time.time()
        self._last_update = 0
        self._time_at_epoch_start = self._start
        self._time_after_first_step = None
        self._prev_total_width = 0

    def update(self, current, values=None, finalize=None):
        """Updates the progress bar.

        Args:
            current: index of the current step (1 after the first step).
            values: list of ``(name, value_for_last_step)`` pairs.
            finalize: whether this is the last update of the bar; by default
                ``current >= target``.
        """
        if finalize is None:
            finalize = False if self.target is None else current >= self.target
        self._record(current, values, finalize)
        now = time.time()
        time_per_unit = self._estimate_step_duration(current, now)
        if self.verbose == 1:
            if now - self._last_update < self.interval and not finalize:
                return
            if self._dynamic_display:
                print_msg(self._dynamic_line(current, now, time_per_unit, finalize), line_break=False)
            elif finalize:
                print_msg(self._plain_line(current, now, time_per_unit), line_break=True)
        elif self.verbose == 2 and finalize and self.target is not None and self.target > 0:
            print_msg(self._verbose2_line(current, now, time_per_unit), line_break=True)
        self._last_update = now

    def add(self, n, values=None):
        """Advances the bar by ``n`` steps."""
        self.update(self._seen_so_far + n, values)

    def _record(self, current, values, finalize):
        for name, value in values or ():
            if name not in self._values:
                self._values_order.append(name)
            if self.stateful_metrics is not None:
                stateless = name not in self.stateful_metrics
            else:
                stateless = name in self.stateless_metrics
            if stateless and not finalize:
                # A repeated step (the epoch-end update of a bar without a
                # target) still counts once, so the average stays defined.
                base = max(current - self._seen_so_far, 1)
                entry = self._values.get(name)
                if entry is None:
                    self._values[name] = [value * base, base]
                else:
                    entry[0] += value * base
                    entry[1] += base
            else:
                self._values[name] = [value, 1]
        self._seen_so_far = current

    def _counter(self, current):
        digits = int(math.log10(self.target)) + 1
        return f"%{digits}d/%d" % (current, self.target)

    def _metrics_text(self):
        text = ""
        for name in self._values_order:
            avg = _average(self._values[name])
            text += f" - {name}: {avg:.4f}" if abs(avg) > 1e-3 else f" - {name}: {avg:.4e}"
        return text

    def _timing_text(self, current, now, time_per_unit, finalize):
        if self.target is not None and self.target > 0 and not finalize:
            eta = time_per_unit * (self.target - current)
            if eta > 3600:
                eta_format = "%d:%02d:%02d" % (eta // 3600, (eta % 3600) // 60, eta % 60)
            elif eta > 60:
                eta_format = "%d:%02d" % (eta // 60, eta % 60)
            else:
                eta_format = "%ds" % eta
            return eta_format
        return f"{now - self._start:.0f}s"

    def _dynamic_line(self, current, now, time_per_unit, finalize):
        # Keras's exact bytes: erase the previous line with backspaces, return
        # the carriage, draw, and pad with spaces over a longer previous line.
        message = "\b" * self._prev_total_width + "\r"
        if self.target is not None and self.target > 0:
            filled = int(self.width * (float(current) / self.target))
            bar = f"{_BOLD}{self._counter(current)}{_RESET} "
            special = 8
            if filled > 0:
                bar += f"{_GREEN}{'━' * filled}{_RESET}"
                special += 9
            bar += f"{_GREY}{'━' * (self.width - filled)}{_RESET}"
            special += 9
        else:
            bar = "%7d/Unknown" % current
            special = 0
        info = f" {_BOLD}{self._timing_text(current, now, time_per_unit, finalize)}{_RESET}"
        special += 8
        info += _format_time(time_per_unit, self.unit_name) + self._metrics_text()
        total_width = len(bar) + len(info) - special
        message += bar + info
        if self._prev_total_width > total_width:
            message += " " * (self._prev_total_width - total_width)
        if finalize:
            message += "\n"
        self._prev_total_width = total_width
        return message

    def _plain_line(self, current, now, time_per_unit):
        if self.target is not None and self.target > 0:
            # Without colours Keras's done and remaining parts look the same.
            bar = f"{self._counter(current)} {'━' * self.width}"
        else:
            bar = "%7d/Unknown" % current
        return bar + f" {now - self._start:.0f}s" + _format_time(time_per_unit, self.unit_name) + self._metrics_text()

    def _verbose2_line(self, current, now, time_per_unit):
        line = f"{self._counter(current)} - {now - self._start:.0f}s -{_format_time(time_per_unit, self.unit_name)}"
        for name in self._values_order:
            avg = _average(self._values[name])
            # Keras's verbose=2 line tests avg > 1e-3 (not abs), so negative
            # values print in scientific notation; kept for identical logs.
            line += f" - {name}: {avg:.4f}" if avg > 1e-3 else f" - {name}: {avg:.4e}"
        return line

    def _estimate_step_duration(self, current, now):
        """Seconds per step, leaving out the (unrepresentative) first step once there are more."""
        if not current:
            return 0
        if self._time_after_first_step is not None and current > 1:
            time_per_unit = (now - self._time_after_first_step) / (current - 1)
        else:
            time_per_unit = (now - self._start) / current
        if current == 1:
            self._time_after_first_step = now
        return time_per_unit
