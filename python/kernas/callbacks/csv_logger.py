"""Keras's ``CSVLogger`` callback."""

import collections.abc
import csv
import os

import numpy as np

from kernas.callbacks.callback import Callback


def _csv_value(value):
    if isinstance(value, str):
        return value
    if isinstance(value, collections.abc.Iterable) and not (isinstance(value, np.ndarray) and value.ndim == 0):
        return f'"[{", ".join(map(str, value))}]"'
    return value


class CSVLogger(Callback):
    """Writes the logs of every epoch to a CSV file, as Keras.

    The header is ``epoch`` then the sorted log keys (with the ``val_``
    columns added when the first epoch has none); rows use Python's ``csv``
    module with Excel's dialect (``\\r\\n`` line ends) and the given separator.

    Args:
        filename: the CSV file, e.g. ``"run/log.csv"``.
        separator: the string that separates the values of a row.
        append: whether to append to an existing file (continued training)
            instead of overwriting it.

    Example:

    >>> model.fit(x, y, epochs=5, callbacks=[CSVLogger("training.log")])
    """

    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        self.sep = separator
        self.filename = os.fspath(filename)
        self.append = append
        self.writer = None
        self.keys = None
        self.append_header = True
        self.csv_file = None

    def on_train_begin(self, logs=None):
        if self.append:
            if os.path.exists(self.filename):
                with open(self.filename) as f:
                    self.append_header = not bool(len(f.readline()))
            mode = "a"
        else:
            mode = "w"
        if self.csv_file and not self.csv_file.closed:
            self.csv_file.close()
        self.csv_file = open(self.filename, mode)
        self.writer = None
        self.keys = None

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs.keys())
            if self.keys and not any(key.startswith("val_") for key in self.keys):
                # Columns for validation results that later epochs may bring.
                self.keys.extend([f"val_{key}" for key in self.keys])
        if not self.writer:
            dialect = type("CustomDialect", (csv.excel,), {"delimiter": self.sep})
            self.writer = csv.DictWriter(self.csv_file, fieldnames=["epoch"] + self.keys, dialect=dialect)
            if self.append_header:
                self.writer.writeheader()
        row = {"epoch": epoch}
        row.update((key, _csv_value(logs.get(key, "NA"))) for key in self.keys)
        self.writer.writerow(row)
        self.csv_file.flush()

    def on_train_end(self, logs=None):
        if self.csv_file and not self.csv_file.closed:
            self.csv_file.close()
        self.writer = None
