"""Property-based fuzzing of the kernel wrappers in kernas.ops and of the native bindings behind them.

Random shapes (0-size included), dtypes, awkward memory layouts, mismatched
arguments and caller-provided output arrays (wrong dtype, layout, shape, or
sharing memory with an input) go straight into the wrappers, and a few straight
into ``kernas._core``. Every call either returns the float64 reference's values
within the unit tests' bounds, or raises ValueError/TypeError with a message
saying what was expected; an output array is never written unless accepted.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kernas import _core
from kernas.ops import activation_spec, activations, batch_norm, conv, dense, dropout, gemm, losses, optimizers, pooling

from fuzz_checks import SUBNORMAL, TINY, UNIT, assert_matches, attempt, reference_activation, relative
from fuzz_strategies import arrays_of_any_dtype, assert_informative, awkward_views, rarely, shapes, wild_arguments
from reference import activations as ref_act
from reference import conv as ref_conv
from reference import dropout as ref_dropout
from reference import linalg as ref_linalg
from reference import losses as ref_losses
from reference import optimizers as ref_opt
from reference import pooling as ref_pool

# The float64 reference warns on the NaN/inf inputs it is fed on purpose.
pytestmark = [pytest.mark.fuzz, pytest.mark.filterwarnings("ignore::RuntimeWarning"),
              pytest.mark.usefixtures("small_machine")]





def operand(data, shape, label, nonfinite=None):
    """An argument array of ``shape`` (a tuple or strategy), any dtype, any layout."""
    x = data.draw(arrays_of_any_dtype(shape, nonfinite=nonfinite), label=label)
    return data.draw(awkward_views(x), label=f"{label} view")


def f32(x):
    return np.asarray(x).astype(np.float32)


def output_array(data, shape, inputs, label):
    """``None`` (allocate), a good float32 array, or a bad one: wrong dtype / shape / layout, read-only,
    or the memory of an input."""
    kind = data.draw(rarely(st.sampled_from(("none", "fresh")),
                            st.sampled_from(("float64", "shape", "strided", "readonly", "alias", "list")), 30),
                     label=f"{label} kind")
    if kind == "none":
        return kind, None
    if kind == "fresh":
        return kind, np.full(shape, np.nan, np.float32)
    if kind == "float64":
        return kind, np.zeros(shape)
    if kind == "shape":
        return kind, np.zeros(tuple(s + 1 for s in shape), np.float32)
    if kind == "strided":
        return kind, np.zeros(tuple(2 * s for s in shape), np.float32)[tuple(slice(None, None, 2) for _ in shape)]
    if kind == "readonly":
        out = np.zeros(shape, np.float32)
        out.flags.writeable = False
        return kind, out
    if kind == "alias":
        for array in inputs:
            if isinstance(array, np.ndarray) and array.dtype == np.float32 and array.flags.c_contiguous \
                    and array.flags.writeable and array.size:
                flat = array.reshape(-1)
                size = int(np.prod(shape))
                if 0 < size <= flat.size:
                    return kind, flat[:size].reshape(shape)
        return "none", None
    return kind, np.zeros(shape, np.float32).tolist()


def check_output(kind, out, result):
    """An accepted output is the result; a bad one must have been refused (the caller got here, so it was not)."""
    harmless = kind == "strided" and out.flags.c_contiguous  # a view of at most one element is contiguous
    assert kind in ("none", "fresh") or harmless or (kind == "alias" and out.size == 0), f"accepted a {kind} output"
    if out is not None:
        assert result is out


# ---- GEMM and Dense ----------------------------------------------------------------------------------------------

SIDE = rarely(st.integers(1, 9), st.sampled_from((0, 17, 33)), 15)


@given(m=SIDE, k=SIDE, n=SIDE, transpose_a=st.booleans(), transpose_b=st.booleans(),
       mismatch=rarely(st.just(0), st.sampled_from((1, -1)), 10),
       rank=rarely(st.just(2), st.sampled_from((0, 1, 3)), 8),
       alpha=rarely(st.sampled_from((1.0, -0.5, 2.0, 0.0)), st.sampled_from((np.nan, np.inf, "2", None, 1e300)), 10),
       beta=rarely(st.just(0.0), st.sampled_from((1.0, -2.0, np.nan, "x")), 35), data=st.data())
def test_gemm(m, k, n, transpose_a, transpose_b, mismatch, rank, alpha, beta, data):
    a_shape = (k, m) if transpose_a else (m, k)
    k_b = max(k + mismatch, 0)
    b_shape = (n, k_b) if transpose_b else (k_b, n)
    if rank != 2:
        a_shape = (a_shape + (2,))[:rank] if rank else ()
    a = operand(data, a_shape, "a")
    b = operand(data, b_shape, "b")
    kind, c = output_array(data, (m, n), (a, b), "c")
    if kind == "list" or (kind == "none" and beta not in (0, 0.0)):
        kind, c = ("none", None) if beta == 0 else ("fresh", np.full((m, n), 0.5, np.float32))
    c_before = None if c is None else np.array(c, copy=True)
    ok, result = attempt(lambda: gemm(a, b, c, alpha=alpha, beta=beta, transpose_a=transpose_a,
                                           transpose_b=transpose_b), "a", "b", "c", "alpha", "beta")
    if not ok:
        if c is not None and kind != "alias":
            np.testing.assert_array_equal(c, c_before)  # a refused call writes nothing
        return
    check_output(kind, c, result)
    assert a.dtype.kind in "fiub" and b.dtype.kind in "fiub" and mismatch == 0 and rank == 2
    alpha32, beta32 = float(np.float32(alpha)), float(np.float32(beta))
    c_ref = None if c_before is None else c_before
    # BLAS's rule: with k = 0 or alpha = 0 the product is not computed (nor alpha applied): c = beta * c.
    product = bool(k) and alpha32 != 0
    args = (f32(a), f32(b), c_ref, alpha32 if product else 0.0, beta32, transpose_a, transpose_b)
    if not product:
        args = (np.zeros((m, 0)), np.zeros((0, n))) + args[2:4] + (beta32, False, False)
    with np.errstate(all="ignore"):
        want, bound = ref_linalg.gemm(*args), ref_linalg.gemm_error_bound(*args)
    assert_matches(result, want, bound, "gemm")


@given(batch=SIDE, inputs=SIDE, units=SIDE, mismatch=rarely(st.just(0), st.just(1), 10),
       bias=rarely(st.sampled_from(("yes", "none")), st.sampled_from(("short", "2d")), 10),
       activation=rarely(st.sampled_from(("linear", "relu", "sigmoid", "softmax", "tanh")),
                         st.sampled_from(("nope", 3, None)), 10),
       need_dx=st.booleans(), need_bias=st.booleans(), data=st.data())
def test_dense(batch, inputs, units, mismatch, bias, activation, need_dx, need_bias, data):
    x = operand(data, (batch, inputs), "x")
    kernel = operand(data, (inputs + mismatch, units), "kernel", nonfinite=False)
    b = {"yes": np.linspace(-1, 1, units), "none": None, "short": np.ones(units + 1),
         "2d": np.ones((1, units))}[bias]
    kind, out = output_array(data, (batch, units), (x, kernel, b), "out")
    if kind == "list":
        kind, out = "none", None
    ok, y = attempt(lambda: dense.dense_forward(x, kernel, b, activation, out=out), "x", "kernel", "bias", "y",
                    "activation", "name")
    if ok:
        check_output(kind, out, y)
        assert mismatch == 0 and bias in ("yes", "none")
        name = "linear" if activation is None else activation
        z = ref_linalg.dense_linear(f32(x), f32(kernel), b if b is None else f32(b))
        if name == "linear":
            bound = ref_linalg.gemm_error_bound(f32(x), f32(kernel)) + 2.0**-23 * np.abs(z)
            assert_matches(y, z, bound, "dense")
        else:
            linear = dense.dense_forward(x, kernel, b)
            want = reference_activation(name, linear)
            assert_matches(y, want, relative(want, 1e-5, 1e-6), f"dense {name}")
    dz = operand(data, rarely(st.just((batch, units)), st.just((batch, units + 1)), 10), "dz")
    ok, grads = attempt(lambda: dense.dense_backward(x, kernel, dz, need_dx=need_dx, need_bias=need_bias),
                        "x", "kernel", "dz")
    if not ok:
        return
    assert mismatch == 0 and dz.shape == (batch, units)
    dx, dkernel, dbias = grads
    assert (dx is None) != need_dx and (dbias is None) != need_bias
    x32, k32, dz32 = f32(x), f32(kernel), f32(dz)
    want = ref_linalg.dense_backward(x32, k32, dz32)
    bounds = (ref_linalg.gemm_error_bound(dz32, k32, transpose_b=True),
              ref_linalg.gemm_error_bound(x32, dz32, transpose_a=True),
              ref_linalg.gemm_error_bound(np.ones((1, batch)), dz32).ravel())
    for label, got, expected, bound in zip(("dx", "dkernel", "dbias"), grads, want, bounds):
        if got is not None:
            with np.errstate(all="ignore"):
                assert_matches(got, expected, bound, label)


def pair(value):
    return tuple(int(v) for v in value) if isinstance(value, (tuple, list)) else (int(value), int(value))


# ---- Conv2D ------------------------------------------------------------------------------------------------------


@given(shape=st.tuples(rarely(st.integers(1, 2), st.just(0), 10), st.integers(1, 7), st.integers(1, 7),
                       st.integers(1, 3)),
       kernel_hw=st.tuples(st.integers(1, 4), st.integers(1, 4)), filters=st.integers(1, 4),
       channel_mismatch=rarely(st.just(0), st.just(1), 8), strides=wild_arguments(2, 1, 3, 8),
       dilation=rarely(st.just(1), wild_arguments(2, 1, 3, 8), 30),
       padding=rarely(st.sampled_from(("valid", "same", "SAME")), st.sampled_from(("full", None, 3)), 8),
       activation=rarely(st.sampled_from(("linear", "relu", "sigmoid", "tanh", "softmax")),
                         st.sampled_from(("gelu", "nope")), 10),
       need_dx=st.booleans(), need_bias=st.booleans(), data=st.data())
def test_conv2d(shape, kernel_hw, filters, channel_mismatch, strides, dilation, padding, activation, need_dx,
                need_bias, data):
    x = operand(data, shape, "x")
    kernel = operand(data, kernel_hw + (shape[3] + channel_mismatch, filters), "kernel", nonfinite=False)
    bias = np.linspace(-1, 1, filters)
    ok, y = attempt(lambda: conv.conv2d_forward(x, kernel, bias, strides, padding, dilation, activation),
                    "x", "kernel", "strides", "dilation_rate", "padding", "activation")
    if not ok:
        return
    options = dict(strides=pair(strides), padding=padding.lower(), dilation_rate=pair(dilation))
    assert y.shape == conv.conv2d_output_shape(x.shape, kernel.shape, **options)
    x32, k32 = f32(x), f32(kernel)
    linear = conv.conv2d_forward(x, kernel, bias, **options)
    depth = kernel.shape[0] * kernel.shape[1] * kernel.shape[2] + 1
    magnitude = ref_conv.conv2d(np.abs(x32), np.abs(k32), np.abs(bias), **options)
    assert_matches(linear, ref_conv.conv2d(x32, k32, bias, **options), 2.0 * (depth + 3) * UNIT * magnitude + TINY,
                   "conv")
    want = reference_activation(activation, linear)
    assert_matches(y, want, relative(want, 1e-5, 1e-6), activation)

    dz = operand(data, rarely(st.just(y.shape), st.just(y.shape[:3] + (y.shape[3] + 1,)), 8), "dz",
                 nonfinite=False)
    ok, grads = attempt(lambda: conv.conv2d_backward(x, kernel, dz, need_dx=need_dx, need_bias=need_bias,
                                                     **options), "dz")
    if not ok:
        return
    dz32 = f32(dz)
    want = ref_conv.conv2d_backward(x32, k32, dz32, **options)
    magnitude = ref_conv.conv2d_backward(np.abs(x32), np.abs(k32), np.abs(dz32), **options)
    taps = kernel.shape[0] * kernel.shape[1] * kernel.shape[3]
    pixels = dz.shape[0] * dz.shape[1] * dz.shape[2]
    for label, got, expected, size, count in zip(("dx", "dkernel", "dbias"), grads, want, magnitude,
                                                 (taps, pixels, pixels)):
        if got is not None:
            with np.errstate(all="ignore"):
                assert_matches(got, expected, 2.0 * (count + 3) * UNIT * size + TINY, label)


# ---- pooling -----------------------------------------------------------------------------------------------------


@given(shape=st.tuples(st.integers(0, 2), st.integers(1, 7), st.integers(1, 7), st.integers(0, 3)),
       kind=st.sampled_from(("max", "avg")), pool=wild_arguments(2, 1, 4, 15),
       strides=rarely(wild_arguments(2, 1, 3, 10), st.none(), 30),
       padding=rarely(st.sampled_from(("valid", "same", "Valid")), st.sampled_from(("full", None, 2)), 8),
       wrong_dy=rarely(st.just(False), st.just(True), 8),
       declared=rarely(st.just(None), st.sampled_from(((1, 2**31 - 1, 2**31 - 1, 1), (1, 2**40, 2, 1),
                                                       (1, 50000, 50000, 1), (-1, 2, 2, 1), (1, 2, 2), "abc")), 8),
       data=st.data())
def test_pooling(shape, kind, pool, strides, padding, wrong_dy, declared, data):
    x = operand(data, shape, "x")
    forward = pooling.max_pool2d_forward if kind == "max" else pooling.avg_pool2d_forward
    ok, y = attempt(lambda: forward(x, pool, strides, padding), "x", "pool_size", "strides", "padding")
    if not ok:
        return
    args = (pair(pool), pair(pool) if strides is None else pair(strides), padding.lower())
    x32 = f32(x)
    area = args[0][0] * args[0][1]
    if kind == "max":
        want, indices = ref_pool.max_pool2d(x32, *args)
        np.testing.assert_array_equal(y, want.astype(np.float32))
        y2, got_indices = pooling.max_pool2d_forward(x, *args, return_indices=True)
        np.testing.assert_array_equal(got_indices, indices)
    else:
        assert_matches(y, ref_pool.avg_pool2d(x32, *args),
                       ref_pool.sum_error_bound(area, ref_pool.avg_pool2d(np.abs(x32), *args)), "avg")
    dy_shape = y.shape if not wrong_dy else y.shape[:3] + (y.shape[3] + 1,)
    dy = operand(data, dy_shape, "dy", nonfinite=False)
    input_shape = shape if declared is None else declared
    if kind == "max":
        call = lambda: pooling.max_pool2d_backward(dy, indices, input_shape, *args)  # noqa: E731
    else:
        call = lambda: pooling.avg_pool2d_backward(dy, input_shape, *args)  # noqa: E731
    ok, dx = attempt(call, "dy", "input_shape", "indices")
    if not ok:
        return
    assert not wrong_dy and dx.shape == tuple(input_shape)
    dy32 = f32(dy)
    if kind == "max":
        want = ref_pool.max_pool2d_backward(dy32, indices, shape)
        bound = ref_pool.sum_error_bound(area, ref_pool.max_pool2d_backward(np.abs(dy32), indices, shape))
    else:
        want = ref_pool.avg_pool2d_backward(dy32, shape, *args)
        bound = ref_pool.sum_error_bound(area, ref_pool.avg_pool2d_backward(np.abs(dy32), shape, *args))
    assert_matches(dx, want, bound, "dx")


@given(shape=st.tuples(st.integers(0, 2), st.integers(1, 5), st.integers(1, 5), st.integers(0, 3)),
       index_kind=rarely(st.just("forward"), st.sampled_from(("huge", "negative", "float", "int64 huge")), 20),
       data=st.data())
def test_max_pool_backward_with_any_indices(shape, index_kind, data):
    """Indices that no forward returned are refused or route nothing: never a write out of bounds."""
    x = np.random.default_rng(data.draw(st.integers(0, 2**16), label="seed")).standard_normal(shape)
    y, indices = pooling.max_pool2d_forward(x, 2, 1, "same", return_indices=True)
    bad = {"forward": indices, "huge": indices + 10**6, "negative": indices - 10**6,
           "float": indices.astype(np.float64) + 0.5, "int64 huge": indices.astype(np.int64) + 2**40}[index_kind]
    dy = np.ones(y.shape, np.float32)
    ok, dx = attempt(lambda: pooling.max_pool2d_backward(dy, bad, shape, 2, 1, "same"), "indices")
    if ok:
        assert dx.shape == shape
        if index_kind in ("huge", "negative"):
            assert not np.any(dx)  # no window's arg-max is any input element
    y_global, g_indices = pooling.global_max_pool2d_forward(x, return_indices=True)
    bad = {"forward": g_indices, "huge": g_indices + 10**6, "negative": g_indices - 10**6,
           "float": g_indices + 0.5, "int64 huge": g_indices.astype(np.int64) + 2**40}[index_kind]
    ok, dx = attempt(lambda: pooling.global_max_pool2d_backward(np.ones(y_global.shape), bad, shape), "indices")
    if ok and index_kind in ("huge", "negative"):
        assert not np.any(dx)


# ---- elementwise kernels: activations, dropout, batch normalization ------------------------------------------------


@given(name=rarely(st.sampled_from(ref_act.ALL), st.sampled_from(("nope", "", None, 3, "gelu_approximate")), 8),
       out_kind=rarely(st.sampled_from(("none", "fresh", "in place")),
                       st.sampled_from(("float64", "shape", "strided", "readonly", "overlap")), 25),
       data=st.data())
def test_activations(name, out_kind, data):
    x = operand(data, shapes(max_dims=3, max_side=7), "x")
    out = None
    if out_kind == "in place":
        x = f32(x) if x.dtype.kind in "fiub" else x
        out = x
    elif out_kind == "overlap" and x.dtype.kind in "fiub" and x.size > 1:
        buffer = np.ascontiguousarray(f32(x).reshape(-1).repeat(2)[: x.size + 1])
        x, out = buffer[1:].reshape(x.shape), buffer[:-1].reshape(x.shape)
    elif out_kind not in ("none", "overlap"):
        out = output_array(data, x.shape, (), "out")[1] if out_kind != "in place" else out
        if out_kind == "fresh":
            out = np.zeros(x.shape, np.float32)
    x_before = np.array(x, copy=True)
    ok, y = attempt(lambda: activations.activation_forward(x, name, out=out), "x", "out", "y", "name",
                    "activation")
    if not ok:
        return
    spec = activation_spec(name)
    params = dict(negative_slope=spec.negative_slope, threshold=spec.threshold, alpha=spec.alpha)
    want = reference_activation(spec.name, f32(x_before), **params)
    assert_matches(y, want, relative(want, 1e-5, 1e-6), str(name))
    if out is not None:
        assert y is out
    dy = np.linspace(-1, 1, x.size).reshape(x.shape).astype(np.float32)
    ok, dx = attempt(lambda: activations.activation_backward(name, dy, x=f32(x_before), y=y), "x", "y", "dy")
    assert ok
    if x.size:
        with np.errstate(all="ignore"):
            want_dx = ref_act.backward(spec.name, dy, x=f32(x_before), y=y, **params)
        # Where y overflowed float32 (exponential of 89), the float32 gradient dy * y cannot be finite; at
        # leaky_relu's kink the reference takes 0 where Keras's backends take the slope.
        keep = ~(np.isinf(y) & np.isfinite(want)) & ~((spec.name == "leaky_relu") & (f32(x_before) == 0))
        assert_matches(dx[keep], want_dx[keep], relative(want_dx[keep], 2e-5, 2e-6), f"{name} dx")


@given(rate=rarely(st.floats(0, 0.99), st.sampled_from((1.0, -0.1, np.nan, "0.5", None, True)), 15),
       seed=rarely(st.integers(0, 2**64 - 1), st.sampled_from((-1, 2**64, 1.5, None, "1")), 15),
       step=rarely(st.integers(0, 2**64 - 1), st.sampled_from((-1, 2**64, 2.0)), 10),
       out_kind=rarely(st.sampled_from(("none", "in place")), st.sampled_from(("float64", "strided", "readonly")),
                       20),
       data=st.data())
def test_dropout(rate, seed, step, out_kind, data):
    x = operand(data, shapes(max_dims=3, max_side=9), "x")
    out = None
    if out_kind == "in place" and x.dtype.kind in "fiub":
        x = f32(x)
        out = x
    elif out_kind not in ("none", "in place"):
        out = output_array(data, x.shape, (), "out")[1]
        out = {"float64": np.zeros(x.shape), "strided": out, "readonly": out}[out_kind]
        if out_kind != "strided":
            out = np.zeros(x.shape)
    x32 = f32(x) if x.dtype.kind in "fiub" else None
    ok, y = attempt(lambda: dropout.dropout_forward(x, rate, seed, step, out=out), "rate", "seed", "step", "x",
                    "out", "y")
    if not ok:
        return
    want = ref_dropout.dropout(x32.ravel(), rate, seed, step).reshape(x.shape)
    kept = ref_dropout.keep_mask(x.size, rate, seed, step).reshape(x.shape)
    assert not np.any(y[~kept])
    assert_matches(y[kept], want[kept], relative(want[kept], 2e-7, SUBNORMAL), "dropout")


@given(shape=shapes(max_dims=3, max_side=6),
       param=rarely(st.just("good"), st.sampled_from(("short gamma", "2d beta", "float64 moving", "one moving",
                                                      "strided moving", "eps str", "momentum None")), 30),
       training=st.booleans(), data=st.data())
def test_batch_norm(shape, param, training, data):
    x = operand(data, shape, "x")
    channels = shape[-1] if shape else 0
    gamma = np.linspace(0.5, 2, channels).astype(np.float32)
    beta = np.linspace(-1, 1, channels)
    moving_mean, moving_variance = np.zeros(channels, np.float32), np.ones(channels, np.float32)
    epsilon, momentum = 1e-3, 0.9
    if param == "short gamma":
        gamma = gamma[:-1] if channels else np.ones(1)
    elif param == "2d beta":
        beta = beta[None]
    elif param == "float64 moving":
        moving_mean = moving_mean.astype(np.float64)
    elif param == "one moving":
        moving_variance = None
    elif param == "strided moving":
        moving_mean = np.zeros(2 * channels, np.float32)[::2]
    elif param == "eps str":
        epsilon = "1e-3"
    else:
        momentum = None if param == "momentum None" else momentum
    if training:
        call = lambda: batch_norm.batch_norm_training(x, gamma, beta, epsilon, moving_mean, moving_variance,  # noqa
                                                       momentum)
    else:
        call = lambda: batch_norm.batch_norm_inference(x, moving_mean, moving_variance, gamma, beta, epsilon)  # noqa
    ok, result = attempt(call, "x", "gamma", "beta", "epsilon", "momentum", "moving_mean", "moving_variance")
    if not ok:
        return
    refused = {"short gamma", "2d beta", "eps str"} | ({"float64 moving", "one moving", "momentum None"}
                                                       if training else set())
    if training and channels > 1:
        refused.add("strided moving")  # a one-element view is contiguous
    assert param not in refused or (param == "short gamma" and not x.size), param
    assert result[0].shape == x.shape and result[0].dtype == np.float32


# ---- losses and optimizers ----------------------------------------------------------------------------------------

LOSSES = {
    "mean_squared_error": (losses.mean_squared_error, ref_losses.mean_squared_error),
    "mean_absolute_error": (losses.mean_absolute_error, ref_losses.mean_absolute_error),
    "huber": (losses.huber, ref_losses.huber),
    "binary_crossentropy": (losses.binary_crossentropy, ref_losses.binary_crossentropy),
    "categorical_crossentropy": (losses.categorical_crossentropy, ref_losses.categorical_crossentropy),
}


@given(name=st.sampled_from(sorted(LOSSES)), rows=st.integers(0, 6), cols=st.integers(1, 5),
       true_shape=rarely(st.just("same"), st.sampled_from(("labels", "wider", "scalar")), 15),
       weight=rarely(st.sampled_from(("none", "rows")), st.sampled_from(("scalar", "wrong", "2d")), 20),
       reduction=rarely(st.sampled_from(("sum_over_batch_size", "sum")), st.sampled_from((None, "max", 3)), 15),
       gradient=rarely(st.booleans(), st.sampled_from((1, "yes")), 10), data=st.data())
def test_losses(name, rows, cols, true_shape, weight, reduction, gradient, data):
    function, reference = LOSSES[name]
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16), label="seed"))
    y_pred = data.draw(awkward_views(rng.uniform(0.05, 0.95, (rows, cols))), label="y_pred")
    y_true = {"same": rng.uniform(0, 1, (rows, cols)), "labels": rng.integers(0, cols, rows),
              "wider": np.zeros((rows, cols + 1)), "scalar": np.float64(1.0)}[true_shape]
    sample_weight = {"none": None, "rows": rng.uniform(0, 2, rows), "scalar": 0.5, "wrong": np.ones(rows + 1),
                     "2d": np.ones((rows, 2))}[weight]
    ok, result = attempt(lambda: function(y_true, y_pred, sample_weight, reduction=reduction, gradient=gradient),
                         "y_true", "y_pred", "sample_weight", "reduction", "gradient")
    if not ok:
        return
    loss = result[0] if gradient is True and reduction is not None else result
    if reduction in ("sum_over_batch_size", "sum") and true_shape == "same" and weight in ("none", "rows") \
            and rows and not (name == "categorical_crossentropy"):
        per_sample, grad = reference(f32(y_true), f32(y_pred))
        divisor = rows if reduction == "sum_over_batch_size" else 1
        want, want_grad = ref_losses.reduce(per_sample, grad, None if sample_weight is None else f32(sample_weight),
                                            divisor)
        np.testing.assert_allclose(loss, want, rtol=1e-5, atol=1e-5 * max(1.0, abs(want)))
        if gradient is True:
            np.testing.assert_allclose(result[1], want_grad, rtol=1e-4, atol=1e-4 * max(1.0, np.abs(want_grad).max()))


@given(count=st.integers(0, 3), sizes=st.lists(rarely(st.integers(1, 7), st.just(0), 10), min_size=3, max_size=3),
       defect=rarely(st.just("none"), st.sampled_from(("float64 weight", "strided weight", "readonly weight",
                                                       "same weight twice", "grad alias", "short grads",
                                                       "grad shape", "slot alias", "slot float64", "tuple grads",
                                                       "array weights", "lr str", "momentum 2")), 35),
       momentum=st.sampled_from((0.0, 0.9)), nesterov=st.booleans(), data=st.data())
def test_sgd_update(count, sizes, defect, momentum, nesterov, data):
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16), label="seed"))
    weights = [rng.standard_normal(s).astype(np.float32) for s in sizes[:count]]
    grads = [data.draw(awkward_views(rng.standard_normal(s)), label="grad") for s in sizes[:count]]
    slots = [np.zeros(s, np.float32) for s in sizes[:count]]
    kwargs = dict(learning_rate=0.1, momentum=momentum, nesterov=nesterov)
    if count:
        if defect == "float64 weight":
            weights[0] = weights[0].astype(np.float64)
        elif defect == "strided weight":
            weights[0] = np.zeros(2 * sizes[0], np.float32)[::2]
        elif defect == "readonly weight":
            weights[0].flags.writeable = False
        elif defect == "same weight twice" and count > 1 and sizes[0] == sizes[1]:
            weights[1] = weights[0]
        elif defect == "grad alias":
            grads[0] = weights[0]
        elif defect == "grad shape":
            grads[0] = np.ones(sizes[0] + 1)
        elif defect == "slot alias":
            slots[0] = weights[0]
        elif defect == "slot float64":
            slots[0] = slots[0].astype(np.float64)
    if defect == "short grads":
        grads = grads[:-1] if count else [np.ones(1)]
    elif defect == "tuple grads":
        grads = tuple(grads)
    elif defect == "array weights":
        weights = np.zeros((count, 2), np.float32)
    elif defect == "lr str":
        kwargs["learning_rate"] = "0.1"
    elif defect == "momentum 2":
        kwargs["momentum"] = 2.0
    before = [np.array(w, copy=True) for w in weights]
    grads_before = [np.array(g, copy=True) for g in grads]
    ok, _ = attempt(lambda: optimizers.sgd_update(weights, grads, slots if momentum else None, **kwargs),
                    "weights", "grads", "momentums", "learning_rate", "momentum")
    if not ok:
        if isinstance(weights, list):
            for w, b in zip(weights, before):
                np.testing.assert_array_equal(w, b)  # a refused update changes nothing
        return
    want_w, want_m = ref_opt.sgd([b.astype(np.float32) for b in before], [f32(g) for g in grads_before],
                                 [np.zeros_like(b) for b in before], **kwargs)
    for w, e in zip(weights, want_w):
        np.testing.assert_array_equal(w, e)


# ---- straight into the bindings ------------------------------------------------------------------------------------


@given(case=st.sampled_from(("gemm overlap", "gemm small c", "gemm float64 c", "dense short kernel",
                             "dense y aliases x", "conv stride 0", "conv negative dilation", "conv y small",
                             "pool padding junk", "pool y aliases x", "activation partial overlap",
                             "dropout rate 2", "loss short y_true", "sparse label out of range",
                             "batch norm short mean", "adam short slots", "indices wrong shape")),
       data=st.data())
def test_core_refuses_bad_calls(case, data):
    """The bindings are the last line of defence: a bad direct call is a ValueError/TypeError, never a crash."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 4, 4, 3)).astype(np.float32)
    kernel = rng.standard_normal((2, 2, 3, 5)).astype(np.float32)
    spec = activation_spec("relu")
    buffer = np.zeros(64, np.float32)
    calls = {
        "gemm overlap": lambda: _core.gemm(buffer[:16].reshape(4, 4), buffer[:16].reshape(4, 4),
                                           buffer[8:24].reshape(4, 4), False, False, 1.0, 0.0),
        "gemm small c": lambda: _core.gemm(np.ones((3, 4)), np.ones((4, 5)), np.zeros((3, 4), np.float32),
                                           False, False, 1.0, 0.0),
        "gemm float64 c": lambda: _core.gemm(np.ones((3, 4)), np.ones((4, 5)), np.zeros((3, 5)), False, False,
                                             1.0, 0.0),
        "dense short kernel": lambda: _core.dense_forward(np.ones((2, 4)), np.ones((3, 5)), None, spec,
                                                          np.zeros((2, 5), np.float32)),
        "dense y aliases x": lambda: _core.dense_forward(buffer[:8].reshape(2, 4), np.ones((4, 4)), None, spec,
                                                         buffer[:8].reshape(2, 4)),
        "conv stride 0": lambda: _core.conv2d_forward(x, kernel, None, (0, 1), "valid", (1, 1), spec,
                                                      np.zeros((2, 3, 3, 5), np.float32)),
        "conv negative dilation": lambda: _core.conv2d_forward(x, kernel, None, (1, 1), "valid", (-3, 1), spec,
                                                               np.zeros((2, 3, 3, 5), np.float32)),
        "conv y small": lambda: _core.conv2d_forward(x, kernel, None, (1, 1), "valid", (1, 1), spec,
                                                     np.zeros((2, 3, 3, 4), np.float32)),
        "pool padding junk": lambda: _core.max_pool2d_forward(x, (2, 2), (2, 2), "full",
                                                              np.zeros((2, 2, 2, 3), np.float32), None),
        "pool y aliases x": lambda: _core.avg_pool2d_forward(x, (1, 1), (1, 1), "valid", x),
        "activation partial overlap": lambda: _core.activation_forward(buffer[1:33], spec, buffer[:32]),
        "dropout rate 2": lambda: _core.dropout_forward(np.ones(4), 2.0, 1, 1, np.zeros(4, np.float32)),
        "loss short y_true": lambda: _core.loss(_core.LossKind.mean_squared_error, np.ones((2, 2)), np.ones((3, 2)),
                                                None, 1.0, None, None),
        "sparse label out of range": lambda: _core.sparse_categorical_crossentropy(
            np.array([0, 7]), np.ones((2, 3)), False, None, 1.0, None, None),
        "batch norm short mean": lambda: _core.batch_norm_forward_inference(
            np.ones((2, 3)), np.ones(2), np.ones(3), None, None, 1e-3, np.zeros((2, 3), np.float32), None),
        "adam short slots": lambda: _core.adam_update([np.ones(3, np.float32)], [np.ones(3)],
                                                      [np.zeros(2, np.float32)], [np.zeros(3, np.float32)], None,
                                                      1, 0.1, 0.9, 0.999, 1e-7, False, None, None, "none", 0.0),
        "indices wrong shape": lambda: _core.max_pool2d_backward(np.ones((2, 2, 2, 3)), np.zeros((2, 2, 2, 2)),
                                                                 np.zeros((2, 4, 4, 3), np.float32), (2, 2), (2, 2),
                                                                 "valid"),
    }
    before = buffer.copy()
    with pytest.raises((ValueError, TypeError)) as raised:
        calls[case]()
    assert_informative(raised.value)
    np.testing.assert_array_equal(buffer, before)  # nothing was written


@given(huge=st.sampled_from((2**31, 2**63, 10**30, 2**70)), data=st.data())
def test_absurd_integers_are_refused_by_name(huge, data):
    """Sizes no array can have are refused with a message naming the argument, not a pybind11 TypeError."""
    x = np.ones((1, 4, 4, 2), np.float32)
    kernel = np.ones((1, 1, 2, 1), np.float32)
    calls = [(lambda: conv.conv2d_forward(x, kernel, strides=huge), "strides"),
             (lambda: conv.conv2d_forward(x, kernel, dilation_rate=(1, huge)), "dilation_rate"),
             (lambda: pooling.max_pool2d_forward(x, huge, padding="same"), "pool_size"),
             (lambda: pooling.avg_pool2d_forward(x, 2, strides=(huge, 1)), "strides"),
             (lambda: pooling.avg_pool2d_backward(np.ones((1, 1, 1, 1)), (1, huge, 2, 1), 2), "input_shape"),
             (lambda: dropout.dropout_forward(x, 0.5, huge * 2**64, 0), "seed")]
    for call, name in calls:
        with pytest.raises(ValueError) as raised:
            call()
        assert name in str(raised.value) and "incompatible function arguments" not in str(raised.value)
