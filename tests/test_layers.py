"""Keras layers on kernas kernels: shapes, configs, forward against real Keras, gradients by finite differences."""

import math

import numpy as np
import pytest
from reference import activations as ref_act
from reference import dropout as ref_dropout

from kernas import layers
from kernas.layers import (
    Activation,
    AveragePooling2D,
    Conv2D,
    Dense,
    Dropout,
    Flatten,
    GlobalAveragePooling2D,
    GlobalMaxPooling2D,
    MaxPooling2D,
    Reshape,
)

F32 = np.float32


def built(layer, shape):
    layer.build_once(shape)
    return layer


def randomize_weights(layer, rng, scale=0.5):
    for variable in layer.weights:
        variable.assign(rng.standard_normal(variable.shape) * scale)


def run_forward(layer, x, **kwargs):
    return layer.forward(np.ascontiguousarray(x, dtype=F32), **kwargs)


def assert_directional_derivative(loss, point, grad, rng, h=3e-3, rtol=5e-3):
    """Central difference of the float32 loss along a random direction vs <grad, direction>."""
    direction = rng.standard_normal(point.shape)
    original = point.copy()
    point[...] = original + h * direction
    plus = loss()
    point[...] = original - h * direction
    minus = loss()
    point[...] = original
    numeric = (plus - minus) / (2 * h)
    analytic = float(np.sum(grad.astype(np.float64) * direction))
    scale = float(np.linalg.norm(grad)) + 1e-6
    assert abs(numeric - analytic) <= rtol * scale, (numeric, analytic, scale)


def check_gradients(layer, x, rng, directions=2, **forward_kwargs):
    """Checks backward's input gradient and every weight gradient by finite differences."""
    x = np.ascontiguousarray(x, dtype=F32)
    y, saved = layer.forward(x, **forward_kwargs)
    weights = rng.standard_normal(y.shape)

    def loss():
        return float(np.sum(weights * layer.forward(x, **forward_kwargs)[0].astype(np.float64)))

    dx, grads = layer.backward(saved, weights.astype(F32), need_input_grad=True)
    assert dx.shape == x.shape and dx.dtype == F32
    variables = layer.trainable_variables_of_layer()
    assert len(grads) == len(variables)
    for _ in range(directions):
        assert_directional_derivative(loss, x, dx, rng)
        for variable, grad in zip(variables, grads):
            assert grad.shape == variable.shape and grad.dtype == F32
            assert_directional_derivative(loss, variable.value, grad, rng)
    return dx, grads


def keras_output(keras, klayer, x, **kwargs):
    return keras.ops.convert_to_numpy(klayer(x, **kwargs))


def without_name(config):
    config = dict(config)
    config.pop("name")
    return config


# ----------------------------------------------------------------- Dense


@pytest.mark.parametrize("activation", ["linear", "tanh", "sigmoid", "softmax", "gelu", "elu", "silu", "softplus"])
@pytest.mark.parametrize("use_bias", [True, False])
def test_dense_gradients(rng, activation, use_bias):
    layer = built(Dense(5, activation=activation, use_bias=use_bias), (None, 7))
    randomize_weights(layer, rng)
    check_gradients(layer, rng.standard_normal((3, 7)), rng)


def test_dense_relu_gradient_matches_its_definition(rng):
    # ReLU's kink defeats finite differences; the gradient is dL/dz * (z > 0) pushed through the linear map.
    layer = built(Dense(6, activation="relu"), (None, 5))
    randomize_weights(layer, rng)
    x = rng.standard_normal((9, 5)).astype(F32)
    kernel, bias = (v.value.astype(np.float64) for v in layer.weights)
    z = x @ kernel + bias
    y, saved = layer.forward(x, training=True)
    np.testing.assert_allclose(y, np.maximum(z, 0), rtol=1e-5, atol=1e-6)
    g = rng.standard_normal(y.shape).astype(F32)
    dx, (dkernel, dbias) = layer.backward(saved, g)
    dz = g * (z > 0)
    np.testing.assert_allclose(dx, dz @ kernel.T, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(dkernel, x.T @ dz, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(dbias, dz.sum(0), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("activation", ["relu", "leaky_relu", "relu6", "hard_sigmoid", "selu"])
def test_dense_piecewise_activation_gradients_match_the_reference(rng, activation):
    layer = built(Dense(6, activation=activation), (None, 5))
    randomize_weights(layer, rng, scale=2.0)
    x = rng.standard_normal((9, 5)).astype(F32)
    kernel, bias = (v.value.astype(np.float64) for v in layer.weights)
    z = x @ kernel + bias
    y, saved = layer.forward(x)
    params = {"max_value": 6.0} if activation == "relu6" else {}
    name = "relu" if activation == "relu6" else activation
    if activation == "leaky_relu":
        params = {"negative_slope": 0.2}
    np.testing.assert_allclose(y, ref_act.forward(name, z, **params), rtol=1e-5, atol=1e-5)
    g = rng.standard_normal(y.shape).astype(F32)
    dx, (dkernel, _) = layer.backward(saved, g)
    dz = g * ref_act.derivative(name, z, **params)
    np.testing.assert_allclose(dx, dz @ kernel.T, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(dkernel, x.T @ dz, rtol=1e-4, atol=1e-4)


def test_dense_applies_to_the_last_axis_of_any_rank(rng):
    layer = built(Dense(4, activation="tanh"), (None, 2, 3, 5))
    randomize_weights(layer, rng)
    x = rng.standard_normal((2, 2, 3, 5)).astype(F32)
    y, _ = layer.forward(x)
    assert y.shape == layer.compute_output_shape((2, 2, 3, 5)) == (2, 2, 3, 4)
    flat, _ = layer.forward(x.reshape(-1, 5))
    np.testing.assert_array_equal(y.reshape(-1, 4), flat)
    check_gradients(layer, x, rng)


def test_dense_need_input_grad_false_and_logits(rng):
    layer = built(Dense(4, activation="softmax"), (None, 3))
    randomize_weights(layer, rng)
    x = rng.standard_normal((5, 3)).astype(F32)
    y, saved = layer.forward(x)
    dx, grads = layer.backward(saved, np.ones_like(y), need_input_grad=False)
    assert dx is None and len(grads) == 2
    z, saved_logits = layer.forward(x, logits=True)
    kernel, bias = (v.value for v in layer.weights)
    np.testing.assert_allclose(z, x @ kernel + bias, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(y, ref_act.forward("softmax", z), rtol=1e-5, atol=1e-6)
    assert layer.activation_name == "softmax"
    # With logits=True the backward takes the gradient at z: the linear layer's gradient.
    g = rng.standard_normal(z.shape).astype(F32)
    dx, (dkernel, dbias) = layer.backward(saved_logits, g)
    np.testing.assert_allclose(dx, g @ kernel.T, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(dkernel, x.T @ g, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(dbias, g.sum(0), rtol=1e-5, atol=1e-6)
    check_gradients(layer, x, rng, logits=True)


def test_dense_shapes_and_weights():
    layer = Dense(3, input_shape=(7,))
    assert layer.compute_output_shape((None, 7)) == (None, 3)
    built(layer, (None, 7))
    assert [v.name for v in layer.weights] == ["kernel", "bias"]
    assert [v.shape for v in layer.weights] == [(7, 3), (3,)]
    assert np.all(layer.bias.value == 0) and layer.count_params() == 24
    limit = math.sqrt(6 / 10)
    assert np.abs(layer.kernel.value).max() <= limit
    no_bias = built(Dense(3, use_bias=False), (None, 7))
    assert [v.name for v in no_bias.weights] == ["kernel"]


def test_dense_errors():
    with pytest.raises(ValueError, match="units"):
        Dense(0)
    with pytest.raises(ValueError, match="kernel_constraint"):
        Dense(2, kernel_constraint="non_neg")
    with pytest.raises(ValueError, match="lora_rank"):
        Dense(2, lora_rank=4)
    with pytest.raises(ValueError, match="min_ndim=2"):
        Dense(2).build_once((5,))
    with pytest.raises(ValueError, match="last dimension"):
        Dense(2).build_once((None, None))
    layer = built(Dense(2), (None, 4))
    with pytest.raises(ValueError, match="expected axis -1 of input shape to have value 4"):
        layer.forward(np.ones((3, 5), F32))
    with pytest.raises(TypeError, match="named activation"):
        Dense(2, activation=lambda x: x)
    with pytest.raises(ValueError, match="Unknown activation"):
        Dense(2, activation="mish")
    with pytest.raises(ValueError, match="Unknown initializer"):
        Dense(2, kernel_initializer="glorot")


# ----------------------------------------------------------------- Conv2D


@pytest.mark.parametrize(
    "kwargs, shape",
    [
        ({"filters": 3, "kernel_size": 3}, (2, 7, 6, 2)),
        ({"filters": 4, "kernel_size": (2, 3), "strides": (2, 1), "padding": "same", "activation": "tanh"},
         (2, 5, 7, 3)),
        ({"filters": 2, "kernel_size": 3, "dilation_rate": 2, "activation": "sigmoid"}, (1, 9, 8, 2)),
        ({"filters": 5, "kernel_size": 1, "use_bias": False, "activation": "gelu"}, (3, 4, 4, 3)),
        ({"filters": 3, "kernel_size": 3, "strides": 2, "padding": "SAME", "activation": "softmax"}, (2, 6, 5, 2)),
    ],
)
def test_conv2d_shapes_and_gradients(rng, kwargs, shape):
    layer = built(Conv2D(**kwargs), (None,) + shape[1:])
    randomize_weights(layer, rng)
    x = rng.standard_normal(shape)
    y, _ = run_forward(layer, x)
    assert y.shape == layer.compute_output_shape(shape)
    assert layer.compute_output_shape((None,) + shape[1:]) == (None,) + y.shape[1:]
    check_gradients(layer, x, rng, directions=1)


def test_conv2d_relu_logits_and_need_input_grad(rng):
    layer = built(Conv2D(3, 3, padding="same", activation="relu"), (None, 5, 5, 2))
    randomize_weights(layer, rng)
    x = rng.standard_normal((2, 5, 5, 2)).astype(F32)
    z, saved_z = layer.forward(x, logits=True)
    y, saved = layer.forward(x)
    np.testing.assert_allclose(y, np.maximum(z, 0), rtol=1e-6, atol=1e-6)
    g = rng.standard_normal(y.shape).astype(F32)
    dx_masked, grads_masked = layer.backward(saved, g)
    dx_linear, grads_linear = layer.backward(saved_z, g * (z > 0))
    np.testing.assert_allclose(dx_masked, dx_linear, rtol=1e-6, atol=1e-6)
    for a, b in zip(grads_masked, grads_linear):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)
    dx, grads = layer.backward(saved, g, need_input_grad=False)
    assert dx is None
    np.testing.assert_array_equal(grads[0], grads_masked[0])


def test_conv2d_errors():
    with pytest.raises(ValueError, match="channels_first"):
        Conv2D(2, 3, data_format="channels_first")
    with pytest.raises(ValueError, match="groups"):
        Conv2D(4, 3, groups=2)
    with pytest.raises(ValueError, match="filters"):
        Conv2D(0, 3)
    with pytest.raises(ValueError, match="kernel_size"):
        Conv2D(2, (3, 0))
    with pytest.raises(ValueError, match="dilation_rate"):
        Conv2D(2, 3, strides=2, dilation_rate=2)
    with pytest.raises(ValueError, match="padding"):
        Conv2D(2, 3, padding="full")
    with pytest.raises(ValueError, match="expected ndim=4"):
        Conv2D(2, 3).build_once((None, 28, 28))
    with pytest.raises(ValueError, match="zero or negative"):
        Conv2D(2, 5).build_once((None, 4, 9, 1))
    layer = built(Conv2D(2, 3), (None, 8, 8, 3))
    with pytest.raises(ValueError, match="incompatible"):
        layer.forward(np.ones((1, 8, 8, 2), F32))


# ----------------------------------------------------------------- pooling


@pytest.mark.parametrize(
    "cls, kwargs, shape",
    [
        (MaxPooling2D, {}, (2, 7, 5, 3)),
        (MaxPooling2D, {"pool_size": 3, "strides": 2, "padding": "same"}, (2, 7, 6, 2)),
        (MaxPooling2D, {"pool_size": (2, 3), "strides": 1}, (1, 5, 7, 1)),
        (AveragePooling2D, {"pool_size": 2}, (2, 7, 5, 3)),
        (AveragePooling2D, {"pool_size": 3, "strides": 2, "padding": "same"}, (2, 7, 6, 2)),
        (AveragePooling2D, {"pool_size": (1, 2), "strides": (2, 1)}, (1, 5, 7, 1)),
        (GlobalAveragePooling2D, {}, (2, 5, 3, 4)),
        (GlobalAveragePooling2D, {"keepdims": True}, (2, 1, 3, 4)),
        (GlobalMaxPooling2D, {}, (2, 5, 3, 4)),
        (GlobalMaxPooling2D, {"keepdims": True}, (3, 4, 1, 2)),
    ],
)
def test_pooling_shapes_and_gradients(rng, cls, kwargs, shape):
    layer = built(cls(**kwargs), (None,) + shape[1:])
    # Distinct, well separated values keep every max's arg-max stable under the perturbation.
    x = rng.permutation(np.prod(shape)).reshape(shape) * 0.1
    y, _ = run_forward(layer, x)
    assert y.shape == layer.compute_output_shape(shape)
    assert layer.compute_output_shape((None,) + shape[1:]) == (None,) + y.shape[1:]
    check_gradients(layer, x, rng)
    _, saved = run_forward(layer, x)
    assert layer.backward(saved, np.ones(y.shape, F32), need_input_grad=False) == (None, [])


def test_pooling_errors():
    with pytest.raises(ValueError, match="channels_first"):
        MaxPooling2D(data_format="channels_first")
    with pytest.raises(ValueError, match="pool_size"):
        AveragePooling2D(0)
    with pytest.raises(ValueError, match="zero or negative"):
        MaxPooling2D(3).build_once((None, 2, 5, 1))
    with pytest.raises(ValueError, match="expected ndim=4"):
        GlobalMaxPooling2D().build_once((None, 5, 3))
    with pytest.raises(ValueError, match="expected ndim=4"):
        AveragePooling2D(2).compute_output_shape((None, 5, 3))
    with pytest.raises(ValueError, match="keepdims"):
        GlobalAveragePooling2D(keepdims="yes")


# ----------------------------------------------------------------- Flatten, Reshape


def test_flatten_is_a_view(rng):
    layer = Flatten()
    x = rng.standard_normal((3, 2, 5, 1)).astype(F32)
    y, saved = layer.forward(x)
    assert y.shape == (3, 10) == layer.compute_output_shape(x.shape)
    assert np.shares_memory(x, y)
    g = rng.standard_normal(y.shape).astype(F32)
    dx, grads = layer.backward(saved, g)
    assert dx.shape == x.shape and np.shares_memory(dx, g) and grads == []
    assert layer.compute_output_shape((None, 4, None)) == (None, None)
    assert layer.forward(np.ones((4,), F32))[0].shape == (4, 1)
    with pytest.raises(ValueError, match="channels_first"):
        Flatten(data_format="channels_first")


@pytest.mark.parametrize(
    "target, sample, expected",
    [((3, 4), (12,), (3, 4)), ((-1, 2), (3, 4), (6, 2)), ((2, -1, 3), (12,), (2, 2, 3)), ((12,), (2, 2, 3), (12,))],
)
def test_reshape_resolves_minus_one(rng, target, sample, expected):
    layer = Reshape(target)
    x = rng.standard_normal((5,) + sample).astype(F32)
    y, saved = layer.forward(x)
    assert y.shape == (5,) + expected == layer.compute_output_shape((5,) + sample)
    assert layer.compute_output_shape((None,) + sample) == (None,) + expected
    assert np.shares_memory(x, y)
    dx, _ = layer.backward(saved, np.ascontiguousarray(y))
    assert dx.shape == x.shape
    assert layer.forward(np.ones((0,) + sample, F32))[0].shape == (0,) + expected


def test_reshape_errors():
    with pytest.raises(ValueError, match="at most one unknown dimension"):
        Reshape((-1, -1))
    with pytest.raises(ValueError, match="non-negative integer"):
        Reshape((2, -3))
    with pytest.raises(ValueError, match="total size of the tensor must be unchanged"):
        Reshape((5,)).build_once((None, 12))
    with pytest.raises(ValueError, match="cannot by divided"):
        Reshape((5, -1)).compute_output_shape((None, 12))
    layer = built(Reshape((3, 4)), (None, 12))
    with pytest.raises(ValueError, match="total size of the tensor must be unchanged"):
        layer.forward(np.ones((2, 10), F32))


# ----------------------------------------------------------------- Dropout


def test_dropout_training_masks_are_deterministic_and_step_dependent(rng):
    x = rng.standard_normal((6, 50)).astype(F32)
    a, b = Dropout(0.3, seed=11), Dropout(0.3, seed=11)
    ya0, saved0 = a.forward(x, training=True)
    yb0, _ = b.forward(x, training=True)
    np.testing.assert_array_equal(ya0, yb0)
    assert saved0 == (11, 0)
    ya1, saved1 = a.forward(x, training=True)
    assert saved1 == (11, 1) and not np.array_equal(ya0 != 0, ya1 != 0)
    np.testing.assert_allclose(ya0, ref_dropout.dropout(x.ravel(), 0.3, 11, 0).reshape(x.shape), rtol=2e-7)
    # The backward applies the same mask and scale as that forward.
    g = rng.standard_normal(x.shape).astype(F32)
    dx, grads = a.backward(saved0, g)
    assert grads == []
    np.testing.assert_array_equal(dx != 0, (ya0 != 0) & (g != 0))
    np.testing.assert_allclose(dx[ya0 != 0], g[ya0 != 0] / 0.7, rtol=1e-6)
    # Dropout is linear in x, so <dx, x> = <g, y>.
    np.testing.assert_allclose((dx.astype(np.float64) * x).sum(), (ya0.astype(np.float64) * g).sum(), rtol=1e-5)


def test_dropout_inference_is_identity_and_keeps_the_step(rng):
    x = rng.standard_normal((4, 5)).astype(F32)
    layer = Dropout(0.5, seed=3)
    y, saved = layer.forward(x, training=False)
    assert y is x and saved is None
    g = rng.standard_normal(x.shape).astype(F32)
    assert layer.backward(saved, g)[0] is g
    assert layer.forward(x, training=True)[1] == (3, 0)
    assert layer(x) is not None and layer.forward(x, training=True)[1] == (3, 1)


def test_dropout_rates_zero_and_one_and_seed_draw(rng):
    x = rng.standard_normal((4, 5)).astype(F32)
    assert Dropout(0.0).forward(x, training=True)[0] is x
    full = Dropout(1.0, seed=2)
    y, saved = full.forward(x, training=True)
    assert not y.any() and not full.backward(saved, x)[0].any()
    from kernas.random import set_global_seed

    set_global_seed(5)
    first = Dropout(0.5).forward(x, training=True)[0]
    set_global_seed(5)
    second = Dropout(0.5).forward(x, training=True)[0]
    np.testing.assert_array_equal(first, second)
    assert Dropout(0.5).get_config()["seed"] is None


def test_dropout_errors():
    with pytest.raises(ValueError, match="rate"):
        Dropout(1.5)
    with pytest.raises(ValueError, match="noise_shape"):
        Dropout(0.5, noise_shape=(None, 1))
    with pytest.raises(ValueError, match="seed"):
        Dropout(0.5, seed="abc")


# ----------------------------------------------------------------- Activation


@pytest.mark.parametrize("name", ["tanh", "sigmoid", "softmax", "gelu", "elu", "softplus", "silu", "log_softmax"])
def test_activation_layer_gradients(rng, name):
    layer = Activation(name)
    x = rng.standard_normal((3, 4, 5))
    y, _ = run_forward(layer, x)
    np.testing.assert_allclose(y, ref_act.forward(name, x), rtol=1e-5, atol=1e-6)
    check_gradients(layer, x, rng)


def test_activation_layer_logits_linear_and_relu(rng):
    x = rng.standard_normal((3, 4)).astype(F32)
    soft = Activation("softmax")
    z, saved = soft.forward(x, logits=True)
    assert z is x
    g = rng.standard_normal(x.shape).astype(F32)
    assert soft.backward(saved, g)[0] is g
    linear = Activation(None)
    assert linear.forward(x)[0] is x and linear.activation_name == "linear"
    relu = Activation("relu")
    y, saved = relu.forward(x)
    np.testing.assert_array_equal(relu.backward(saved, g)[0], g * (x > 0))
    assert relu.backward(saved, g, need_input_grad=False) == (None, [])


# ----------------------------------------------------------------- configs


LAYER_CASES = [
    (Dense, (3,), {}),
    (Dense, (4,), {"activation": "swish", "use_bias": False, "kernel_initializer": "he_normal",
                   "bias_initializer": "ones", "kernel_regularizer": "l2", "activity_regularizer": "l1"}),
    (Dense, (2,), {"activation": "softmax", "kernel_initializer": {"class_name": "RandomNormal",
                                                                   "config": {"stddev": 0.1, "seed": 3}}}),
    (Conv2D, (4, 3), {}),
    (Conv2D, (8, (3, 2)), {"strides": 2, "padding": "SAME", "activation": "relu", "bias_regularizer": "l1l2",
                           "kernel_initializer": "lecun_uniform"}),
    (Conv2D, (2, 5), {"dilation_rate": (2, 1), "data_format": "channels_last", "use_bias": False}),
    (MaxPooling2D, (), {}),
    (MaxPooling2D, (3,), {"strides": 1, "padding": "same"}),
    (AveragePooling2D, (2,), {}),
    (AveragePooling2D, ((2, 3),), {"strides": (1, 2), "padding": "valid"}),
    (GlobalAveragePooling2D, (), {}),
    (GlobalAveragePooling2D, (), {"keepdims": True}),
    (GlobalMaxPooling2D, (), {"keepdims": True}),
    (Flatten, (), {}),
    (Reshape, ((2, -1),), {}),
    (Dropout, (0.25,), {}),
    (Dropout, (0.5,), {"seed": 7}),
    (Activation, ("relu",), {}),
    (Activation, ("softmax",), {}),
]


@pytest.mark.parametrize("cls, args, kwargs", LAYER_CASES)
def test_config_round_trip(cls, args, kwargs):
    layer = cls(*args, **kwargs)
    config = layer.get_config()
    again = cls.from_config(config)
    assert again.get_config() == config
    restored = layers.deserialize(layers.serialize(layer))
    assert type(restored) is cls and restored.get_config() == config


@pytest.mark.parametrize("cls, args, kwargs", LAYER_CASES)
def test_config_equals_keras(keras, cls, args, kwargs):
    ours = cls(*args, **kwargs).get_config()
    theirs = getattr(keras.layers, cls.__name__)(*args, **kwargs).get_config()
    assert without_name(ours) == without_name(theirs)
    assert list(without_name(ours)) == list(without_name(theirs))


def test_default_names_and_aliases():
    assert Dense(2).name.startswith("dense") and Conv2D(1, 1).name.startswith("conv2d")
    assert GlobalAveragePooling2D().name.startswith("global_average_pooling2d")
    assert layers.MaxPool2D is MaxPooling2D and layers.AvgPool2D is AveragePooling2D
    assert layers.Convolution2D is Conv2D and layers.GlobalAvgPool2D is GlobalAveragePooling2D
    assert layers.GlobalMaxPool2D is GlobalMaxPooling2D
    for name in ("Dense", "Conv2D", "Dropout", "Reshape", "Flatten", "Activation"):
        assert layers.get_layer_class(name).__name__ == name


# ----------------------------------------------------------------- forward vs real Keras


def copy_weights(layer, klayer, shape):
    klayer.build(shape)
    klayer.set_weights(layer.get_weights())


@pytest.mark.parametrize(
    "cls, args, kwargs, shape",
    [
        (Dense, (5,), {"activation": "relu"}, (4, 7)),
        (Dense, (3,), {"activation": "softmax"}, (2, 3, 6)),
        (Dense, (4,), {"activation": "gelu", "use_bias": False}, (5, 2)),
        (Dense, (4,), {"activation": "hard_sigmoid"}, (5, 3)),
        (Conv2D, (4, 3), {"activation": "relu"}, (2, 7, 6, 3)),
        (Conv2D, (3, (2, 3)), {"strides": 2, "padding": "same", "activation": "tanh"}, (2, 7, 6, 2)),
        (Conv2D, (2, 3), {"dilation_rate": 2, "padding": "same", "activation": "elu"}, (1, 8, 9, 2)),
        (MaxPooling2D, (), {"padding": "same"}, (2, 7, 5, 3)),
        (MaxPooling2D, (3,), {"strides": 2}, (2, 7, 6, 2)),
        # Symmetric "same" padding only: for uneven padding Keras's torch backend pads average pooling by
        # replicating edge values, while kernas (like Keras on TensorFlow) averages the covered inputs.
        (AveragePooling2D, (3,), {"strides": 2, "padding": "same"}, (2, 7, 7, 2)),
        (AveragePooling2D, ((2, 3),), {}, (1, 5, 7, 2)),
        (GlobalAveragePooling2D, (), {"keepdims": True}, (2, 5, 3, 4)),
        (GlobalMaxPooling2D, (), {}, (2, 5, 3, 4)),
        (Flatten, (), {}, (2, 3, 4, 5)),
        (Reshape, ((-1, 3),), {}, (2, 4, 6)),
        (Activation, ("softmax",), {}, (3, 4, 5)),
        (Activation, ("selu",), {}, (3, 7)),
        (Dropout, (0.5,), {}, (3, 7)),
    ],
)
def test_forward_equals_keras(keras, rng, cls, args, kwargs, shape):
    layer = built(cls(*args, **kwargs), shape)
    randomize_weights(layer, rng)
    klayer = getattr(keras.layers, cls.__name__)(*args, **kwargs)
    copy_weights(layer, klayer, shape)
    x = rng.standard_normal(shape).astype(F32)
    ours = layer(x)
    theirs = keras_output(keras, klayer, x)
    assert ours.shape == theirs.shape == tuple(klayer.compute_output_shape(shape))
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-5)


# ---- regressions found by fuzzing (tests/test_fuzz_layers.py) ----------------------------------------------------


@pytest.mark.parametrize("make, name", [
    (lambda: Dense(2**70), "units"),
    (lambda: Conv2D(2**31, 3), "filters"),
    (lambda: Conv2D(2, 10**30, padding="same"), "kernel_size"),
    (lambda: Conv2D(2, 3, strides=2**63, padding="same"), "strides"),
    (lambda: Conv2D(2, 3, dilation_rate=(1, 2**64)), "dilation_rate"),
    (lambda: MaxPooling2D(2**63, padding="same"), "pool_size"),
    (lambda: AveragePooling2D(2, strides=(1, 2**40)), "strides"),
])
def test_sizes_no_array_can_have_are_refused_by_name(make, name):
    # They used to reach the native module, whose pybind11 TypeError ("incompatible function arguments") named
    # nothing the user wrote.
    with pytest.raises(ValueError, match=rf"Expected `{name}` to be at most 2\*\*31 - 1"):
        make()


def test_weight_larger_than_memory_is_refused_before_allocating():
    # Dense(10**7) on 10**6 features asks for 40 TB: it used to reach the initializer (a MemoryError, or an
    # OOM-kill through overcommit for sizes between the free and the total memory).
    layer = Dense(10**7, name="huge")
    with pytest.raises(ValueError) as raised:
        layer.build_once((None, 10**6))
    message = str(raised.value)
    assert "layer 'huge'" in message and "(1000000, 10000000)" in message and "40000000000000 bytes" in message
    assert "available" in message and not layer.weights


def test_result_larger_than_memory_is_refused():
    # A kernel of shape (0, units) takes no memory, but its output does: 4000 * (2**31 - 1) floats.
    layer = Dense(2**31 - 1, use_bias=False)
    with pytest.raises(ValueError, match=r"Expected the result `y` to fit in memory"):
        layer(np.ones((4000, 0), F32))


def test_dense_on_inputs_without_features():
    # An input of shape (2, 3, 0) used to fail in numpy's reshape ("cannot reshape array of size 0").
    layer = Dense(4, bias_initializer="ones")
    y = layer(np.ones((2, 3, 0), F32))
    assert y.shape == layer.compute_output_shape((2, 3, 0)) == (2, 3, 4)
    np.testing.assert_array_equal(y, np.ones((2, 3, 4), F32))
    dx, _ = layer.backward(layer.forward(np.ones((2, 3, 0), F32))[1], np.ones((2, 3, 4), F32))
    assert dx.shape == (2, 3, 0)


def test_dtype_that_is_no_dtype_is_refused_by_name():
    # np.dtype(7) raised "Cannot interpret '7' as a data type", naming no argument.
    with pytest.raises(ValueError, match=r"Expected dtype float32.*Received: dtype=7"):
        Dense(3, dtype=7)


@pytest.mark.parametrize("cls, args", [(Conv2D, (2, 1)), (MaxPooling2D, ()), (AveragePooling2D, (1,)),
                                       (GlobalMaxPooling2D, ()), (GlobalAveragePooling2D, ())])
def test_image_layers_refuse_empty_images_clearly(cls, args):
    # A 0-row image with padding="same" used to get "Computed output size would be zero or negative ... Use
    # padding='same'", advice that cannot help.
    layer = cls(*args, **({"padding": "same"} if cls in (Conv2D, MaxPooling2D, AveragePooling2D) else {}))
    with pytest.raises(ValueError, match=r"expected images of at least 1 row and 1 column.*\(2, 0, 4, 3\)"):
        layer(np.ones((2, 0, 4, 3), F32))
