"""A real handwritten-digit set bundled with kernas: no download, no network.

The data is the MNIST test set (10,000 28x28 grayscale images, the original
``t10k-images-idx3-ubyte.gz`` and ``t10k-labels-idx1-ubyte.gz``), shipped
unmodified in ``kernas/datasets/data/``. It is split at load time, always the
same way: image ``i`` is a test image when ``i % 5 == 4`` (2,000 images) and a
training image otherwise (8,000 images), each part in file order. Taking every
fifth image mixes the two halves of the file, which come from different
writers (the first 5,000 are the cleaner ones), evenly into both parts.

MNIST is by Yann LeCun, Corinna Cortes and Christopher J.C. Burges, a
derivative of NIST's Special Databases 1 and 3, available under the Creative
Commons Attribution-Share Alike 3.0 license
(https://creativecommons.org/licenses/by-sa/3.0/), the terms Keras and
TensorFlow Datasets cite. See ``data/MNIST-LICENSE.txt`` beside the files.
"""

import os

import numpy as np

from kernas.datasets.idx import read_images_and_labels

_DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
_TEST_EVERY = 5  # every fifth image is a test image: an 8,000 / 2,000 split


def load_data():
    """Loads the bundled digits: 8,000 training and 2,000 test images of MNIST's test set.

    Same return form as ``kernas.datasets.mnist.load_data``, from files inside
    the package, so it works offline and needs no cache.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: ``uint8`` arrays of shapes
        ``(8000, 28, 28)``, ``(8000,)``, ``(2000, 28, 28)``, ``(2000,)``;
        pixels range from 0 to 255, labels from 0 to 9.

    Example:

    >>> (x_train, y_train), (x_test, y_test) = kernas.datasets.digits.load_data()
    >>> x_train.shape, x_test.shape
    ((8000, 28, 28), (2000, 28, 28))

    License:
        MNIST by Yann LeCun, Corinna Cortes and Christopher J.C. Burges,
        under CC BY-SA 3.0 (https://creativecommons.org/licenses/by-sa/3.0/).
    """
    images, labels = read_images_and_labels(
        os.path.join(_DATA_DIR, "t10k-images-idx3-ubyte.gz"),
        os.path.join(_DATA_DIR, "t10k-labels-idx1-ubyte.gz"),
    )
    is_test = np.arange(len(labels)) % _TEST_EVERY == _TEST_EVERY - 1
    return (images[~is_test], labels[~is_test]), (images[is_test], labels[is_test])
