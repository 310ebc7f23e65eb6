"""MNIST handwritten digits, cached and verified exactly as ``keras.datasets.mnist``."""

import numpy as np

from kernas.datasets.file_cache import get_file

# Where Keras downloads MNIST from; point it at a mirror holding the same file
# (the sha256 below is still checked).
ORIGIN_FOLDER = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
# The sha256 of Keras's mnist.npz.
FILE_HASH = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"


def load_data(path="mnist.npz"):
    """Loads the MNIST dataset: 60,000 28x28 grayscale training images of the 10 digits and 10,000 test images.

    The file is Keras's own ``mnist.npz``, kept in the Keras cache
    (``$KERAS_HOME/datasets/`` or ``~/.keras/datasets/``), so a copy that
    Keras downloaded is reused and the other way round. It is downloaded with
    a progress bar when missing, and again when its sha256 does not match.
    Its arrays are read without unpickling anything.

    Args:
        path: the file's name in the cache (relative to ``~/.keras/datasets``).

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: ``uint8`` arrays of shapes
        ``(60000, 28, 28)``, ``(60000,)``, ``(10000, 28, 28)``, ``(10000,)``;
        pixels range from 0 to 255, labels from 0 to 9.

    Raises:
        kernas.datasets.DownloadError: (an ``OSError``) the file is not cached
            and cannot be downloaded; the message gives the URL and the full
            path to put the file at for offline use.
        ValueError: ``path`` holds a directory, or the downloaded file does not
            match the expected sha256.

    Example:

    >>> (x_train, y_train), (x_test, y_test) = kernas.datasets.mnist.load_data()
    >>> x_train.shape
    (60000, 28, 28)

    License:
        Yann LeCun and Corinna Cortes hold the copyright of the MNIST dataset,
        a derivative work of the NIST datasets, made available under the terms
        of the Creative Commons Attribution-Share Alike 3.0 license
        (https://creativecommons.org/licenses/by-sa/3.0/).
    """
    local = get_file(fname=path, origin=f"{ORIGIN_FOLDER}mnist.npz", file_hash=FILE_HASH)
    with np.load(local, allow_pickle=False) as f:
        return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])
