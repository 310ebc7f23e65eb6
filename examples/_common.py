"""What the examples share: their command line, their data and an epoch timer.

Every example trains on kernas's bundled handwritten digits unless told
otherwise, so it runs with no network access:

    python examples/mnist_convnet.py                          # bundled digits
    python examples/mnist_convnet.py --dataset fashion_mnist --epochs 5 --threads 2

The examples import this module by name: Python puts a script's own folder
first on ``sys.path``, so ``python examples/<name>.py`` finds it from anywhere.
"""

import argparse
import statistics
import sys
import time

import kernas
from kernas.datasets import DownloadError, digits, fashion_mnist, mnist

DATASETS = {"digits": digits, "mnist": mnist, "fashion_mnist": fashion_mnist}


def _positive_int(text):
    if not text.isdecimal() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return int(text)


def _at_least_ten(text):
    # fit's validation_split needs a few samples on each side of the split.
    value = _positive_int(text)
    if value < 10:
        raise argparse.ArgumentTypeError(f"expected at least 10 samples, got {value}")
    return value


def _non_negative_int(text):
    if not text.isdecimal():
        raise argparse.ArgumentTypeError(f"expected a non-negative integer, got {text!r}")
    return int(text)


def setup(description, epochs):
    """Parses the command line every example shares, then applies it.

    Sets kernas's kernel threads (``--threads``) and seeds every random choice
    kernas makes (``--seed``), so a run is repeatable bit for bit.

    Args:
        description: the example's docstring, shown by ``--help``.
        epochs: the example's default number of epochs.

    Returns:
        The parsed ``argparse.Namespace``, with ``started`` (a
        ``time.perf_counter()`` reading) added for the closing report.
    """
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", choices=list(DATASETS), default="digits",
                        help="digits (bundled, the default), mnist or fashion_mnist (downloaded or found locally)")
    parser.add_argument("--epochs", type=_positive_int, default=epochs, help=f"epochs to train (default {epochs})")
    parser.add_argument("--threads", type=_positive_int, default=None,
                        help="threads for kernas's kernels (default: OpenMP's, which honours OMP_NUM_THREADS)")
    parser.add_argument("--seed", type=_non_negative_int, default=0,
                        help="seed for weights, dropout and shuffling (default 0)")
    parser.add_argument("--max-samples", type=_at_least_ten, default=None, metavar="N",
                        help="use only the first N training and the first N test images (a quick check)")
    args = parser.parse_args()
    if args.threads is not None:
        try:
            kernas.config.set_num_threads(args.threads)
        except ValueError as err:
            parser.error(f"argument --threads: {err}")
    kernas.utils.set_random_seed(args.seed)
    args.started = time.perf_counter()
    return args


def load_data(args):
    """Loads the chosen dataset as Keras's ``load_data`` returns it, cut to ``--max-samples``.

    Returns:
        ``((x_train, y_train), (x_test, y_test))``: uint8 images (N, 28, 28)
        and uint8 labels (N,).
    """
    try:
        (x_train, y_train), (x_test, y_test) = DATASETS[args.dataset].load_data()
    except DownloadError as err:  # offline and not cached: the message says where to put the file
        sys.exit(f"Could not load {args.dataset}: {err}")
    keep = slice(None, args.max_samples)
    x_train, y_train, x_test, y_test = x_train[keep], y_train[keep], x_test[keep], y_test[keep]
    print(f"{args.dataset}: {len(x_train)} training and {len(x_test)} test images; "
          f"kernel threads: {kernas.config.get_num_threads()}", flush=True)
    return (x_train, y_train), (x_test, y_test)


class EpochTimer(kernas.callbacks.Callback):
    """Records the wall time of each epoch of ``fit``, validation included."""

    def __init__(self):
        super().__init__()
        self.seconds = []
        self._epoch_started = None

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch_started = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self._epoch_started)


def report(args, timer, **results):
    """Prints each result as ``Test <name>: <value>``, then the median epoch time and the time since ``setup``.

    Example: ``report(args, timer, loss=0.07, accuracy=0.981)`` prints
    ``Test loss: 0.0700`` and ``Test accuracy: 0.9810`` first.
    """
    for name, value in results.items():
        print(f"Test {name}: {value:.4f}")
    print(f"Time per epoch: {statistics.median(timer.seconds):.3f} s "
          f"(median of {len(timer.seconds)} epochs; kernel threads: {kernas.config.get_num_threads()})")
    print(f"Total time: {time.perf_counter() - args.started:.1f} s (data, training and evaluation)")
