"""kernas.utils.to_categorical against Keras's behaviour."""

import numpy as np
import pytest

from kernas.utils import to_categorical


def test_one_hot_rows_with_keras_dtype_and_shapes():
    np.testing.assert_array_equal(to_categorical([0, 2, 1], num_classes=3), np.eye(3)[[0, 2, 1]])
    assert to_categorical(np.array([[1], [0]], np.uint8)).shape == (2, 2)
    assert to_categorical(np.zeros((2, 3), np.int32), num_classes=4).shape == (2, 3, 4)
    assert to_categorical([3]).shape == (1, 4)
    assert to_categorical([1.0, 0.0]).dtype == np.float64


def test_matches_real_keras(keras):
    labels = np.array([[4], [0], [9], [4]])
    np.testing.assert_array_equal(to_categorical(labels), keras.utils.to_categorical(labels))
    np.testing.assert_array_equal(to_categorical(labels, 12), keras.utils.to_categorical(labels, 12))


@pytest.mark.parametrize(
    "labels, num_classes, error, message",
    [
        ([0, 3], 3, ValueError, "from 0 to 2. Received: a label of 3"),
        ([-1, 0], 3, ValueError, "a label of -1"),
        ([0.5], None, ValueError, "non-integer"),
        (["a"], None, ValueError, "integer class labels"),
        ([0], 0, ValueError, "num_classes` >= 1"),
        ([0], 2.5, TypeError, "integer"),
        ([], None, ValueError, "empty"),
    ],
)
def test_bad_labels_are_clear_errors(labels, num_classes, error, message):
    with pytest.raises(error, match=message):
        to_categorical(labels, num_classes)
