"""kernas.activations: Keras's functions on NumPy arrays, get / serialize."""

import numpy as np
import pytest

from kernas import activations

NAMES = ["relu", "leaky_relu", "relu6", "elu", "selu", "sigmoid", "tanh", "softmax", "log_softmax", "softplus",
         "softsign", "silu", "swish", "gelu", "hard_sigmoid", "exponential", "linear"]


@pytest.mark.parametrize("name", NAMES)
def test_functions_equal_keras(keras, rng, name):
    x = rng.standard_normal((4, 9)).astype(np.float32) * 3
    ours = activations.get(name)(x)
    theirs = keras.ops.convert_to_numpy(keras.activations.get(name)(keras.ops.convert_to_tensor(x)))
    assert ours.dtype == np.float32 and ours.shape == x.shape
    np.testing.assert_allclose(ours, theirs, rtol=2e-6, atol=2e-6)
    assert activations.serialize(activations.get(name)) == keras.activations.serialize(keras.activations.get(name))


@pytest.mark.parametrize(
    "fn, kwargs",
    [("relu", {"negative_slope": 0.1, "max_value": 2.0, "threshold": 0.5}), ("leaky_relu", {"negative_slope": 0.3}),
     ("elu", {"alpha": 0.5}), ("gelu", {"approximate": True}), ("softmax", {"axis": 1}), ("log_softmax", {"axis": 0})],
)
def test_parameters_equal_keras(keras, rng, fn, kwargs):
    x = rng.standard_normal((3, 4, 5)).astype(np.float32) * 3
    ours = getattr(activations, fn)(x, **kwargs)
    theirs = keras.ops.convert_to_numpy(getattr(keras.activations, fn)(keras.ops.convert_to_tensor(x), **kwargs))
    np.testing.assert_allclose(ours, theirs, rtol=2e-6, atol=2e-6)


def test_get_and_serialize():
    assert activations.get(None) is activations.linear
    assert activations.get("swish") is activations.silu and activations.serialize(activations.swish) == "silu"
    assert activations.get(activations.relu) is activations.relu
    assert activations.get({"module": "keras.activations", "class_name": "function", "config": "tanh",
                            "registered_name": "tanh"}) is activations.tanh
    with pytest.raises(TypeError, match="named activation"):
        activations.get(lambda x: x)
    with pytest.raises(ValueError, match="Unknown activation function: 'mish'"):
        activations.get("mish")
    with pytest.raises(ValueError, match="cannot be serialized"):
        activations.serialize(np.tanh)
    with pytest.raises(ValueError, match="axis"):
        activations.softmax(np.ones((2, 3), np.float32), axis=2)


def test_keras_functions_map_to_kernas(keras):
    assert activations.get(keras.activations.relu) is activations.relu
    assert activations.get(keras.activations.swish) is activations.silu
