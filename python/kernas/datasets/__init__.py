"""Keras's ``keras.datasets`` loaders, plus ``digits``, a real digit set bundled with kernas.

- ``mnist.load_data(path="mnist.npz")`` and ``fashion_mnist.load_data()``
  use Keras's cache (``$KERAS_HOME`` or ``~/.keras``, under ``datasets/``) and
  origins, so files Keras downloaded are reused.
- ``digits.load_data()`` needs no network: 8,000 + 2,000 images of the MNIST
  test set, shipped inside the package.

Example:
    >>> from kernas.datasets import digits
    >>> (x_train, y_train), (x_test, y_test) = digits.load_data()
"""

from kernas.datasets import digits, fashion_mnist, mnist
from kernas.datasets.file_cache import DownloadError

__all__ = ["DownloadError", "digits", "fashion_mnist", "mnist"]
