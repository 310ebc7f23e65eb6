"""Fashion-MNIST, from the Keras cache, Debian's ``dataset-fashion-mnist`` package, or Keras's origin."""

import os

from kernas.datasets.file_cache import DownloadError, get_file
from kernas.datasets.idx import read_images_and_labels

# Where Keras downloads Fashion-MNIST from; point it at a mirror to use one.
ORIGIN_FOLDER = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
# Read-only folders searched after the Keras cache and before downloading:
# where `apt-get install dataset-fashion-mnist` puts the four files.
SYSTEM_DIRS = ("/usr/share/datasets/fashion-mnist",)
_FILES = (
    "train-labels-idx1-ubyte.gz",
    "train-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
)


def load_data():
    """Loads Fashion-MNIST: 60,000 28x28 grayscale training images of 10 fashion categories and 10,000 test images.

    Each of the four files is looked for in the Keras cache
    (``$KERAS_HOME/datasets/fashion-mnist/`` or
    ``~/.keras/datasets/fashion-mnist/``, where Keras keeps them), then in
    ``SYSTEM_DIRS`` (Debian's ``dataset-fashion-mnist``), and only then
    downloaded from Keras's origin with a progress bar. The IDX files are
    checked as they are read: a damaged or truncated file raises
    ``ValueError`` naming it, never returns wrong arrays.

    Labels: 0 T-shirt/top, 1 Trouser, 2 Pullover, 3 Dress, 4 Coat, 5 Sandal,
    6 Shirt, 7 Sneaker, 8 Bag, 9 Ankle boot.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: ``uint8`` arrays of shapes
        ``(60000, 28, 28)``, ``(60000,)``, ``(10000, 28, 28)``, ``(10000,)``.

    Raises:
        kernas.datasets.DownloadError: (an ``OSError``) a file is missing
            everywhere and cannot be downloaded; the message names the URL,
            the full path to put it at, and the Debian package.
        ValueError: a file is not a valid gzipped IDX file.

    Example:

    >>> (x_train, y_train), (x_test, y_test) = kernas.datasets.fashion_mnist.load_data()
    >>> x_test.shape
    (10000, 28, 28)

    License:
        The copyright for Fashion-MNIST is held by Zalando SE. Fashion-MNIST
        is licensed under the MIT license
        (https://github.com/zalandoresearch/fashion-mnist/blob/master/LICENSE).
    """
    cache_subdir = os.path.join("datasets", "fashion-mnist")
    paths, missing = [], []
    for fname in _FILES:
        try:
            paths.append(get_file(fname, origin=ORIGIN_FOLDER + fname, cache_subdir=cache_subdir,
                                  system_dirs=SYSTEM_DIRS))
        except DownloadError as err:
            missing.append(err)
    if missing:
        # One error for every missing file, so a user working offline fetches them all at once.
        details = "\n".join(f"- {err}" for err in missing)
        raise DownloadError(
            f"{len(missing)} of the 4 Fashion-MNIST files could not be found or downloaded:\n{details}\n"
            "On Debian or Ubuntu, `apt-get install dataset-fashion-mnist` installs all four files into "
            "/usr/share/datasets/fashion-mnist/ instead."
        ) from missing[0].__cause__
    x_train, y_train = read_images_and_labels(paths[1], paths[0])
    x_test, y_test = read_images_and_labels(paths[3], paths[2])
    return (x_train, y_train), (x_test, y_test)
