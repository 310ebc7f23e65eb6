"""Property-based fuzzing of the layers: random configurations, shapes, dtypes and memory layouts.

Every generated case either works, with the output shape ``compute_output_shape``
promised and values agreeing with the float64 reference (tests/reference) within
the bounds the layer's unit tests use, in inference and in training mode and
through ``backward``; or it raises ValueError/TypeError with a message saying
what was expected. NaN and inf in the inputs must come out where the reference
has them. A longer run: ``python -m pytest tests -m fuzz --hypothesis-profile=long``.
"""

import numpy as np
import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from kernas import initializers, layers

from fuzz_checks import SUBNORMAL, TINY, UNIT, assert_matches, attempt, reference_activation, relative
from fuzz_strategies import (arrays_of_any_dtype, awkward_views, junk_values, rarely, shapes,
                             wild_arguments, wild_ints)
from reference import activations as ref_act
from reference import batch_norm as ref_bn
from reference import conv as ref_conv
from reference import dropout as ref_dropout
from reference import linalg as ref_linalg
from reference import pooling as ref_pool

# The float64 reference warns on the NaN/inf inputs it is fed on purpose.
pytestmark = [pytest.mark.fuzz, pytest.mark.filterwarnings("ignore::RuntimeWarning"),
              pytest.mark.usefixtures("small_machine")]

F32_MAX = float(np.finfo(np.float32).max)
# Activations of kernas.activations that tests/reference implements, and identifiers no layer accepts.
ACTIVATIONS = ("linear", "relu", "leaky_relu", "elu", "selu", "sigmoid", "tanh", "softplus", "softsign", "silu",
               "gelu", "hard_sigmoid", "exponential", "softmax", "log_softmax")
BAD_ACTIVATIONS = ("nope", "", "RELU ", 3, 1.5, True, object())


def choice(valid, invalid, percent=15):
    """One of ``valid``, or in about ``percent`` % of draws one of ``invalid``."""
    return rarely(st.sampled_from(valid), st.sampled_from(invalid), percent)


PADDING_VALUES = (("valid", "same", "VALID", "Same"), ("full", "causal", "", None, 1, ("same",)))
DATA_FORMAT_VALUES = ((None, "channels_last", "CHANNELS_LAST"), ("channels_first", "nhwc", "", 3))
PADDINGS = choice(*PADDING_VALUES)
DATA_FORMATS = choice(*DATA_FORMAT_VALUES)


# ---- the acceptance rule -------------------------------------------------------------------------------------


def as_input(x):
    """What a layer computes on: ``x`` as float32 (float64, ints and bools are converted)."""
    return np.asarray(x).astype(np.float32)


def is_real(x):
    return x.dtype.kind in "fiub"


def input_for(data, shape_strategy, nonfinite=None):
    """An input of any dtype in an awkward layout."""
    x = data.draw(arrays_of_any_dtype(shape_strategy, nonfinite=nonfinite), label="x")
    return data.draw(awkward_views(x), label="x view")


def forward_input(data, x):
    """What a model hands ``layer.forward``: float32, here possibly a non-contiguous or read-only view."""
    return x if x.dtype == np.float32 else data.draw(awkward_views(as_input(x)), label="x32 view")


def call_layer(layer, x):
    """``layer(x)``: checks the refusal of non-numeric input, and the promised output shape."""
    ok, y = attempt(lambda: layer(x), "inputs", "input", "x")
    if not ok:
        return None
    assert is_real(x), f"accepted an input of dtype {x.dtype}"
    assert isinstance(y, np.ndarray) and y.dtype == np.float32
    assert y.shape == tuple(layer.compute_output_shape(x.shape)), (y.shape, x.shape)
    event("ran" + (" (empty)" if y.size == 0 else "") + (" (non-finite input)" if not np.isfinite(as_input(x)).all()
                                                       else ""))
    return y


def run_on_random_input(data, layer, shape_strategy):
    """``layer`` on a random input: ``(x, x32, xf, y)`` (the input, as float32, as ``forward`` gets it, and
    ``layer(x)``), or ``None`` when the input was refused."""
    x = input_for(data, shape_strategy)
    y = call_layer(layer, x)
    if y is None:
        return None
    return x, as_input(x), forward_input(data, x), y


def gradient_for(data, shape):
    dy = np.random.default_rng(data.draw(st.integers(0, 2**16), label="dy seed")).standard_normal(shape)
    return data.draw(awkward_views(dy.astype(np.float32)), label="dy view")


def base_kwargs():
    """The base Layer arguments, mostly absent, sometimes wrong."""
    return st.one_of(
        st.just({}), st.just({}), st.just({}),
        st.fixed_dictionaries({}, optional={"name": st.sampled_from(("a", "", "a/b", 3, None)),
                                            "trainable": st.sampled_from((True, False, "yes", None)),
                                            "dtype": st.sampled_from(("float32", "float16", "int8", None, 7))}),
    ).filter(lambda kwargs: "name" not in kwargs or kwargs["name"] != "a")  # one layer named "a" at a time


# ---- Dense and Conv2D --------------------------------------------------------------------------------------


def spec_of(layer):
    """The reference's name and parameters of the layer's activation (relu6 is relu with max_value 6 ...)."""
    spec = layer._activation.spec
    params = dict(negative_slope=spec.negative_slope, threshold=spec.threshold, alpha=spec.alpha,
                  max_value=None if spec.max_value == np.inf else spec.max_value)
    return spec.name, params


def check_activation(y, z, activation):
    """``y = activation(z)`` from the kernel's own logits ``z``, with test_activations' tolerance."""
    name, params = activation
    want = reference_activation(name, z, **params)
    assert_matches(y, want, relative(want, 1e-5, 1e-6), f"{name}(z)")


def gradient_at_logits(activation, dy, z, y):
    """The reference gradient at the logits and its tolerance (test_activations' rtol 2e-5, atol 2e-6)."""
    name, params = activation
    if name == "linear" or dy.size == 0:
        return dy.astype(np.float64), np.zeros(dy.shape)
    with np.errstate(all="ignore"):
        dz = ref_act.backward(name, dy.astype(np.float64), x=z.astype(np.float64), y=y.astype(np.float64), **params)
    if not np.all(np.abs(dz[np.isfinite(dz)]) <= F32_MAX):
        # The gradient itself overflows float32 (exponential of large logits): float32 cannot compute what
        # follows, so only the shapes are checked.
        event("float32 overflow")
        return None, None
    return dz, relative(dz, 2e-5, 2e-6)


def seeded_initializers(data):
    """Kernel and bias initializers of drawn seeds, so that an example replays with the same weights."""
    seed = data.draw(st.integers(0, 2**16), label="weights seed")
    return dict(kernel_initializer=initializers.GlorotUniform(seed=seed),
                bias_initializer=initializers.RandomNormal(stddev=0.5, seed=seed + 1))


@given(units=wild_ints(1, 6), activation=choice(ACTIVATIONS + (None,), BAD_ACTIVATIONS, 8),
       use_bias=st.booleans(), kwargs=base_kwargs(), data=st.data())
def test_dense(units, activation, use_bias, kwargs, data):
    init = seeded_initializers(data)
    ok, layer = attempt(lambda: layers.Dense(units, activation=activation, use_bias=use_bias, **init, **kwargs),
                        "units", "activation", "name", "trainable", "dtype")
    if not ok:
        return
    case = run_on_random_input(data, layer, rarely(shapes(min_dims=2, max_dims=4, max_side=6), shapes(max_dims=1), 10))
    if case is None:
        return
    x, x32, xf, y = case
    kernel = layer.kernel.value.astype(np.float64)
    bias = layer.bias.value.astype(np.float64) if use_bias else None
    rows = x32.reshape(int(np.prod(x.shape[:-1])), x.shape[-1])
    z, saved_logits = layer.forward(xf, logits=True)
    want_z = ref_linalg.dense_linear(rows, kernel, bias)
    bound = ref_linalg.gemm_error_bound(rows, kernel) + 2.0**-23 * np.abs(want_z)
    flat = (rows.shape[0], layer.units)
    assert_matches(z.reshape(flat), want_z, bound, "x @ kernel + bias")
    name = spec_of(layer)
    check_activation(y, z, name)

    y_train, saved = layer.forward(xf, training=True)
    np.testing.assert_array_equal(y_train, y)
    dy = gradient_for(data, y.shape)
    dx, grads = layer.backward(saved, dy)
    assert dx.shape == x.shape and len(grads) == (2 if use_bias else 1)
    dz, dz_tol = gradient_at_logits(name, dy.reshape(flat), z.reshape(flat), y.reshape(flat))
    if dz is None:
        return
    want_dx, want_dkernel, want_dbias = ref_linalg.dense_backward(rows, kernel, dz)
    abs_kernel, abs_rows = np.abs(kernel), np.abs(rows.astype(np.float64))
    assert_matches(dx.reshape(rows.shape), want_dx,
                   ref_linalg.gemm_error_bound(dz, kernel, transpose_b=True) + dz_tol @ abs_kernel.T, "dx")
    assert_matches(grads[0], want_dkernel,
                   ref_linalg.gemm_error_bound(rows, dz, transpose_a=True) + abs_rows.T @ dz_tol, "dkernel")
    if use_bias:
        assert_matches(grads[1], want_dbias,
                       ref_linalg.gemm_error_bound(np.ones((1, rows.shape[0])), dz).ravel() + dz_tol.sum(axis=0),
                       "dbias")
    dx_none, _ = layer.backward(saved, dy, need_input_grad=False)
    assert dx_none is None

    # The built layer meets an input of another shape: it works or refuses, never a wrong shape.
    call_layer(layer, input_for(data, any_shapes()))


def conv_bound(x, kernel, bias, options):
    """test_conv's forward bound: 2 (k + 3) u sum |x||w| + |b| over the k taps."""
    depth = kernel.shape[0] * kernel.shape[1] * kernel.shape[2] + 1
    magnitude = ref_conv.conv2d(np.abs(x), np.abs(kernel), None if bias is None else np.abs(bias), **options)
    return 2.0 * (depth + 3) * UNIT * magnitude + TINY


def any_shapes(max_side=6):
    """Shapes of rank 1 to 4, rarely a scalar's ()."""
    return rarely(shapes(min_dims=1, max_dims=4, max_side=max_side), st.just(()), 8)


def image_shapes():
    """Mostly NHWC images (0-size batch and spatial sizes included), sometimes another rank."""
    def side(high):
        return rarely(st.integers(1, high), st.just(0), 8)

    nhwc = st.tuples(side(3), side(8), side(8), side(3))
    return rarely(nhwc, shapes(min_dims=0, max_dims=5, max_side=4), 15)


@given(filters=wild_ints(1, 4, percent=5), kernel_size=wild_arguments(2, 1, 4, 6), strides=wild_arguments(2, 1, 3, 6),
       dilation=rarely(st.just(1), wild_arguments(2, 1, 3, 6), 35), padding=choice(*PADDING_VALUES, 5),
       data_format=choice(*DATA_FORMAT_VALUES, 5), groups=choice((1,), (2, 0, -1, "1", 1.0), 5),
       activation=choice(("linear", "relu", "sigmoid", "softmax", "tanh", "gelu", None), ("nope",), 5),
       use_bias=st.booleans(), data=st.data())
def test_conv2d(filters, kernel_size, strides, dilation, padding, data_format, groups, activation, use_bias, data):
    ok, layer = attempt(
        lambda: layers.Conv2D(filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
                              dilation_rate=dilation, groups=groups, activation=activation, use_bias=use_bias,
                              **seeded_initializers(data)),
        "filters", "kernel_size", "strides", "dilation_rate", "padding", "data_format", "groups", "activation")
    if not ok:
        return
    case = run_on_random_input(data, layer, image_shapes())
    if case is None:
        return
    x, x32, xf, y = case
    kernel = layer.kernel.value.astype(np.float64)
    bias = layer.bias.value.astype(np.float64) if use_bias else None
    options = dict(strides=layer.strides, padding=layer.padding, dilation_rate=layer.dilation_rate)
    z, _ = layer.forward(xf, logits=True)
    assert_matches(z, ref_conv.conv2d(x32, kernel, bias, **options), conv_bound(x32, kernel, bias, options), "conv")
    name = spec_of(layer)
    check_activation(y, z, name)

    y_train, saved = layer.forward(xf, training=True)
    np.testing.assert_array_equal(y_train, y)
    dy = gradient_for(data, y.shape)
    dx, grads = layer.backward(saved, dy)
    assert len(grads) == (2 if use_bias else 1)
    dz, dz_tol = gradient_at_logits(name, dy, z, y)
    if dz is None:
        return
    want = ref_conv.conv2d_backward(x32, kernel, dz, **options)
    magnitude = ref_conv.conv2d_backward(np.abs(x32), np.abs(kernel), np.abs(dz), **options)
    propagated = ref_conv.conv2d_backward(np.abs(x32), np.abs(kernel), dz_tol, **options)
    taps = kernel.shape[0] * kernel.shape[1] * kernel.shape[3]
    pixels = dz.shape[0] * dz.shape[1] * dz.shape[2]
    for label, got, expected, size, extra, count in zip(("dx", "dkernel", "dbias"), (dx, *grads), want, magnitude,
                                                         propagated, (taps, pixels, pixels)):
        assert_matches(got, expected, 2.0 * (count + 3) * UNIT * size + TINY + extra, label)
    call_layer(layer, input_for(data, image_shapes()))


# ---- pooling -------------------------------------------------------------------------------------------------


@given(kind=st.sampled_from(("max", "average")), pool=wild_arguments(2, 1, 4),
       strides=rarely(wild_arguments(2, 1, 3), st.none(), 40), padding=PADDINGS,
       data_format=DATA_FORMATS, data=st.data())
def test_pooling2d(kind, pool, strides, padding, data_format, data):
    cls = layers.MaxPooling2D if kind == "max" else layers.AveragePooling2D
    ok, layer = attempt(lambda: cls(pool, strides=strides, padding=padding, data_format=data_format),
                        "pool_size", "strides", "padding", "data_format")
    if not ok:
        return
    case = run_on_random_input(data, layer, image_shapes())
    if case is None:
        return
    x, x32, xf, y = case
    args = (layer.pool_size, layer.strides, layer.padding)
    area = layer.pool_size[0] * layer.pool_size[1]
    y_train, saved = layer.forward(xf, training=True)
    np.testing.assert_array_equal(y_train, y)
    dy = gradient_for(data, y.shape)
    dx, grads = layer.backward(saved, dy)
    assert grads == [] and dx.shape == x.shape
    if kind == "max":
        want, indices = ref_pool.max_pool2d(x32, *args)
        np.testing.assert_array_equal(y, want.astype(np.float32))
        want_dx = ref_pool.max_pool2d_backward(dy, indices, x.shape)
        bound = ref_pool.sum_error_bound(area, ref_pool.max_pool2d_backward(np.abs(dy), indices, x.shape))
    else:
        assert_matches(y, ref_pool.avg_pool2d(x32, *args),
                       ref_pool.sum_error_bound(area, ref_pool.avg_pool2d(np.abs(x32), *args)), "average")
        want_dx = ref_pool.avg_pool2d_backward(dy, x.shape, *args)
        bound = ref_pool.sum_error_bound(area, ref_pool.avg_pool2d_backward(np.abs(dy), x.shape, *args))
    assert_matches(dx, want_dx, bound, "dx")
    assert layer.backward(saved, dy, need_input_grad=False)[0] is None


@given(kind=st.sampled_from(("max", "average")), keepdims=choice((False, True), (1, None, "yes")),
       data_format=DATA_FORMATS, data=st.data())
def test_global_pooling2d(kind, keepdims, data_format, data):
    cls = layers.GlobalMaxPooling2D if kind == "max" else layers.GlobalAveragePooling2D
    ok, layer = attempt(lambda: cls(data_format=data_format, keepdims=keepdims), "keepdims", "data_format")
    if not ok:
        return
    case = run_on_random_input(data, layer, image_shapes())
    if case is None:
        return
    x, x32, xf, y = case
    batch, height, width, channels = x.shape
    _, saved = layer.forward(xf, training=True)
    dy = gradient_for(data, y.shape)
    dx, grads = layer.backward(saved, dy)
    assert grads == [] and dx.shape == x.shape
    flat_dy = dy.reshape(batch, channels)
    if kind == "max":
        want, indices = ref_pool.global_max_pool2d(x32)
        np.testing.assert_array_equal(y.reshape(batch, channels), want.astype(np.float32))
        np.testing.assert_array_equal(dx, ref_pool.global_max_pool2d_backward(flat_dy, indices, x.shape))
    else:
        positions = height * width
        assert_matches(y.reshape(batch, channels), ref_pool.global_avg_pool2d(x32),
                       ref_pool.sum_error_bound(positions, np.abs(x32).astype(np.float64).mean(axis=(1, 2))), "mean")
        want_dx = ref_pool.global_avg_pool2d_backward(flat_dy, x.shape)
        assert_matches(dx, want_dx, ref_pool.sum_error_bound(1, np.abs(want_dx)), "dx")


# ---- shape layers ---------------------------------------------------------------------------------------------


@given(target=rarely(st.lists(st.integers(-1, 6), max_size=4).map(tuple),
                     st.one_of(st.lists(st.integers(-3, 6), max_size=4).map(tuple), wild_arguments(3, 1, 4, 50),
                               junk_values()), 25),
       data_format=DATA_FORMATS, data=st.data())
def test_flatten_and_reshape(target, data_format, data):
    made = [attempt(lambda: layers.Flatten(data_format=data_format), "data_format"),
            attempt(lambda: layers.Reshape(target), "target_shape")]
    for ok, layer in made:
        if not ok:
            continue
        case = run_on_random_input(data, layer, any_shapes(5))
        if case is None:
            continue
        x, x32, xf, y = case
        np.testing.assert_array_equal(y, x32.reshape(y.shape))
        assert y.shape[0] == x.shape[0]
        y_train, saved = layer.forward(xf, training=True)
        np.testing.assert_array_equal(y_train, y)
        dy = gradient_for(data, y.shape)
        dx, grads = layer.backward(saved, dy)
        assert grads == []
        np.testing.assert_array_equal(dx, np.asarray(dy).reshape(x.shape))


# ---- Dropout, BatchNormalization, Activation -------------------------------------------------------------------


@given(rate=rarely(st.floats(0, 1) | st.sampled_from((0, 1, 0.5)),
                  st.sampled_from((-0.1, 1.5, float("nan"), "0.5", None, True)), 15),
       seed=st.one_of(st.none(), st.integers(0, 2**64 - 1), wild_ints(0, 100), junk_values()),
       noise_shape=choice((None,), ((1, 2),), 5), data=st.data())
def test_dropout(rate, seed, noise_shape, data):
    ok, layer = attempt(lambda: layers.Dropout(rate, noise_shape=noise_shape, seed=seed),
                        "rate", "seed", "noise_shape")
    if not ok:
        return
    case = run_on_random_input(data, layer, any_shapes())
    if case is None:
        return
    x, x32, xf, y = case
    np.testing.assert_array_equal(y, x32)  # the identity at inference
    step = layer._step
    y_train, saved = layer.forward(xf, training=True)
    dy = gradient_for(data, y.shape)
    dx, grads = layer.backward(saved, dy)
    assert grads == [] and dx.shape == x.shape and y_train.shape == x.shape
    rate = float(layer.rate)
    if rate == 0.0:
        np.testing.assert_array_equal(y_train, x32)
        np.testing.assert_array_equal(dx, dy)
        return
    if rate == 1.0:
        assert not np.any(y_train) and not np.any(dx)
        return
    with np.errstate(invalid="ignore"):
        want = ref_dropout.dropout(x32.ravel(), rate, layer._seed, step).reshape(x.shape)
        want_dx = ref_dropout.dropout(np.asarray(dy).ravel(), rate, layer._seed, step).reshape(x.shape)
    kept = ref_dropout.keep_mask(x.size, rate, layer._seed, step).reshape(x.shape)
    assert not np.any(y_train[~kept]), "a dropped element is not 0"  # whatever x held there, NaN included
    assert_matches(y_train[kept], want[kept], relative(want[kept], 2e-7, SUBNORMAL), "y")
    assert_matches(dx, want_dx, relative(want_dx, 2e-7, SUBNORMAL), "dx")


@given(axis=choice((-1,), (0, 1, 2, 3, -2, 1.0, "x", None), 25),
       momentum=choice((0.99, 0.0, 1.0, 0.5), ("0.9", None, float("nan")), 10),
       epsilon=choice((1e-3, 1e-5, 0.0, 1.0), ("eps", None), 10), center=st.booleans(), scale=st.booleans(),
       data=st.data())
def test_batch_normalization(axis, momentum, epsilon, center, scale, data):
    ok, layer = attempt(lambda: layers.BatchNormalization(axis=axis, momentum=momentum, epsilon=epsilon,
                                                          center=center, scale=scale),
                        "axis", "momentum", "epsilon")
    if not ok:
        return
    x = input_for(data, any_shapes())
    y = call_layer(layer, x)
    if y is None:
        return
    if x.size == 0:  # nothing to normalize; the reference needs elements
        assert layer.forward(forward_input(data, x))[0].shape == x.shape
        return
    x32 = as_input(x)
    xf = forward_input(data, x)
    channels = x.shape[-1]
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16), label="weights seed"))
    for variable in layer.weights:  # off their initial values, so that a swapped one shows
        variable.assign(rng.uniform(0.5, 2.0, channels))
    gamma = layer.gamma.value if scale else None
    beta = layer.beta.value if center else None
    eps = layer.epsilon
    mean, variance = layer.moving_mean.numpy(), layer.moving_variance.numpy()
    y, saved = layer.forward(xf, training=False)
    want = ref_bn.normalize(x32, mean, variance, gamma, beta, eps)
    inv = 1.0 / np.sqrt(variance.astype(np.float64) + eps)
    g = 1.0 if gamma is None else np.abs(gamma)
    b = 0.0 if beta is None else np.abs(beta)
    # test_batch_norm's inference bound.
    assert_matches(y, want, 8 * UNIT * (g * inv * (np.abs(x32) + np.abs(mean)) + b), "inference y")
    dy = gradient_for(data, x.shape)
    dx, grads = layer.backward(saved, dy)
    assert dx.shape == x.shape and len(grads) == scale + center
    want_dx = ref_bn.inference_backward(dy, x32, mean, variance, gamma, eps)[0]
    assert_matches(dx, want_dx, 6 * UNIT * np.abs(want_dx), "inference dx")

    y, saved = layer.forward(xf, training=True)
    dx, grads = layer.backward(saved, dy)
    assert y.shape == dx.shape == x.shape and len(grads) == scale + center
    want, _, batch_var = ref_bn.training_forward(x32, gamma, beta, eps)
    want_dx, want_dgamma, want_dbeta = ref_bn.training_backward(dy, x32, gamma, eps)
    rows = x32.reshape(-1, channels)
    finite = np.all(np.isfinite(rows), axis=0)
    # A channel holding NaN/inf normalizes to NaN, as in the reference.
    assert_matches(y[..., ~finite], want[..., ~finite], 0.0, "training y of non-finite channels")
    # The bounds of test_batch_norm hold where the variance is defined; they are per channel, so the other
    # channels are checked alone.
    good = finite & (batch_var + eps > 0)
    if not good.any():
        return
    from test_batch_norm import Bounds

    pick = (lambda v: None if v is None else v[good])
    bounds = Bounds(x32[..., good], pick(gamma), eps)
    assert_matches(y[..., good], want[..., good], bounds.y(want[..., good], pick(beta)).reshape(y[..., good].shape),
                   "training y")
    tol_dx, tol_dgamma, tol_dbeta = bounds.backward(dy[..., good], want_dx[..., good], pick(want_dgamma), True)
    assert_matches(dx[..., good], want_dx[..., good], tol_dx, "training dx")
    grads = dict(zip(["gamma"] * scale + ["beta"] * center, grads))
    if scale:
        assert_matches(grads["gamma"][good], want_dgamma[good], tol_dgamma, "dgamma")
    if center:
        assert_matches(grads["beta"][good], want_dbeta[good], tol_dbeta, "dbeta")


ACTIVATION_LAYER_NAMES = ACTIVATIONS + ("relu6", "swish")


@given(activation=choice(ACTIVATION_LAYER_NAMES + (None,), BAD_ACTIVATIONS, 10), data=st.data())
def test_activation(activation, data):
    ok, layer = attempt(lambda: layers.Activation(activation), "activation")
    if not ok:
        return
    case = run_on_random_input(data, layer, any_shapes())
    if case is None:
        return
    x, x32, xf, y = case
    name, params = spec_of(layer)
    want = reference_activation(name, x32, **params)
    assert_matches(y, want, relative(want, 1e-5, 1e-6), name)
    y_train, saved = layer.forward(xf, training=True)
    np.testing.assert_array_equal(y_train, y)
    dy = gradient_for(data, y.shape)
    dx, grads = layer.backward(saved, dy)
    assert grads == [] and dx.shape == x.shape
    with np.errstate(all="ignore"):
        want_dx = (ref_act.backward(name, np.asarray(dy, np.float64), x=x32, y=y.astype(np.float64), **params)
                   if x.size else np.zeros(x.shape))
    # Where the output overflowed float32 (exponential of 89), the float32 gradient dy * y cannot be finite;
    # at leaky_relu's kink the reference takes 0 where Keras's backends (and kernas) take the slope.
    keep = ~(np.isinf(y) & np.isfinite(want)) & ~((name == "leaky_relu") & (x32 == params["threshold"]))
    assert_matches(dx[keep], want_dx[keep], relative(want_dx[keep], 2e-5, 2e-6), f"{name} dx")
