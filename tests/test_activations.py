"""kernas.ops.activations: every Keras activation, forward and backward, against
the float64 NumPy reference, PyTorch and (when importable) Keras 3 itself."""


import numpy as np
import pytest

import kernas
from kernas import _core, ops
from kernas.ops import activations, dense

from reference import activations as ref

ELEMENTWISE = ref.ELEMENTWISE
ROW_WISE = ref.ROW_WISE
ALL = ref.ALL
SIZES = (1, 7, 17, 127, 1000, 4099)
ROW_LENGTHS = (1, 3, 10, 1000)

# Accuracy: the kernel's result must be f(x') for some x' within one float32
# ulp of x (the `spread` of the float64 reference there: what any float32
# evaluation may lose to the rounding of its input and intermediate
# arguments), up to ULPS units of 2^-24 |f(x)|. Results under TINY may flush
# to zero.
EPS = 2.0**-24
ULPS = 8
TINY = 1e-35

# Parameter variants of the kinds that take parameters (Keras's ReLU.static_call semantics).
VARIANTS = [
    ("relu", {}),
    ("relu", {"negative_slope": 0.1}),
    ("relu", {"max_value": 6.0}),
    ("relu", {"threshold": 0.5}),
    ("relu", {"threshold": -0.75}),
    ("relu", {"threshold": -0.75, "max_value": 2.0}),
    ("relu", {"negative_slope": 0.3, "max_value": 4.0, "threshold": 1.0}),
    ("relu", {"negative_slope": 0.2, "threshold": -1.5}),
    ("leaky_relu", {"negative_slope": 0.2}),
    ("leaky_relu", {"negative_slope": 0.01}),
    ("elu", {"alpha": 1.0}),
    ("elu", {"alpha": 0.4}),
]
CASES = VARIANTS + [(name, {}) for name in ELEMENTWISE if name not in ("relu", "leaky_relu", "elu")]
CASE_IDS = [name + "".join(f"-{k}={v}" for k, v in params.items()) for name, params in CASES]


def spec_of(name, params):
    return ops.activation_spec(name, **params)


def reference_params(params):
    return {"max_value": None, **params}


def saved_for_backward(spec, x, y):
    return {
        "x": x if spec.backward_needs_input else None,
        "y": y if spec.backward_needs_output else None,
    }


def mixed_inputs(rng, size, scale=3.0):
    """Normal values, a wide uniform spread and values near zero, shuffled."""
    parts = [
        scale * rng.standard_normal(size),
        rng.uniform(-30.0, 30.0, size),
        1e-4 * rng.standard_normal(size),
    ]
    pick = rng.integers(0, len(parts), size)
    return np.choose(pick, parts).astype(np.float32)


def spread(fn, x):
    """How far the float64 function moves when x moves by one float32 ulp."""
    x64 = x.astype(np.float64)
    step = np.spacing(np.abs(x)).astype(np.float64)
    with np.errstate(all="ignore"):
        center = fn(x64)
        moved = np.maximum(np.abs(fn(x64 + step) - center), np.abs(fn(x64 - step) - center))
    return np.where(np.isnan(moved), np.inf, moved)


def assert_close(got, expected, slack, what):
    """|got - expected| <= ULPS * EPS * |expected| + slack + TINY, elementwise.

    Equal values (including an expected value that rounds to +-inf in float32)
    and NaN against NaN pass.
    """
    assert got.dtype == np.float32
    got64 = got.astype(np.float64)
    with np.errstate(all="ignore"):
        error = np.abs(got64 - expected)
        bound = ULPS * EPS * np.abs(expected) + slack + TINY
        matches = (error <= bound) | (got == expected.astype(np.float32)) | (np.isnan(got) & np.isnan(expected))
    if not np.all(matches):
        worst = np.flatnonzero(~matches)[0]
        raise AssertionError(
            f"{what}: {np.count_nonzero(~matches)} elements off; first at index {worst}: "
            f"got {got.ravel()[worst]!r}, expected {expected.ravel()[worst]!r}, bound {np.ravel(bound)[worst]:.3g}"
        )


def softmax_bounds(x):
    """Per-element error bounds of a float32 softmax / log-softmax of rows x (see the module notes):
    x - max rounds relative to |x - max|, each exponential and the row sum (16 lanes, then a tree)
    add a few ulp, and the sum carries its terms' errors."""
    x = x.astype(np.float64)
    shifted = np.abs(x - np.max(x, axis=-1, keepdims=True))
    n = x.shape[-1]
    probabilities = ref.forward("softmax", x)
    carried = np.sum(probabilities * shifted, axis=-1, keepdims=True) + n / 16 + 4
    return shifted, carried


def directional_derivative(forward, x, direction, dy, h):
    """Central difference of <dy, forward(x)> along `direction`, in float64 from the float32 forward."""
    plus = forward((x + h * direction).astype(np.float32)).astype(np.float64)
    minus = forward((x - h * direction).astype(np.float32)).astype(np.float64)
    return float(np.sum(dy * (plus - minus)) / (2 * h))


# ---------------------------------------------------------------- forward / backward against the reference


@pytest.mark.parametrize("name, params", CASES, ids=CASE_IDS)
def test_elementwise_forward_matches_reference(kernel_set, rng, name, params):
    spec = spec_of(name, params)
    fn = lambda t: ref.forward(name, t, **reference_params(params))  # noqa: E731
    for size in SIZES:
        x = mixed_inputs(rng, size)
        got = activations.activation_forward(x, spec)
        assert got.shape == x.shape
        assert_close(got, fn(x), spread(fn, x), f"{name}{params} forward, size {size}")


# Kinds whose gradient is a function of the output alone (relu and leaky_relu
# read only the output's sign, which equals the input's).
SLOPE_FROM_OUTPUT = {"sigmoid": lambda y: y * (1 - y), "tanh": lambda y: 1 - y * y, "exponential": lambda y: y}


def test_plain_relu_and_leaky_relu_gradients_read_the_output():
    for spec in (ops.activation_spec("relu"), ops.activation_spec("leaky_relu")):
        assert spec.backward_needs_output and not spec.backward_needs_input
    for spec in (ops.activation_spec("relu", threshold=0.5), ops.activation_spec("relu", max_value=6.0),
                 ops.activation_spec("leaky_relu", negative_slope=-0.5)):
        assert spec.backward_needs_input and not spec.backward_needs_output
    x = np.array([-2.0, -0.0, 0.0, 1e-30, 3.0, np.nan], np.float32)
    dy = np.full_like(x, 2.0)
    for name, slope in (("relu", 0.0), ("leaky_relu", 0.2)):
        y = activations.activation_forward(x, name)
        np.testing.assert_array_equal(
            activations.activation_backward(name, dy, y=y), np.where(x > 0, 2.0, 2.0 * np.float32(slope)))


@pytest.mark.parametrize("name, params", CASES, ids=CASE_IDS)
def test_elementwise_backward_matches_reference(kernel_set, rng, name, params):
    spec = spec_of(name, params)
    derivative = lambda t: ref.derivative(name, t, **reference_params(params))  # noqa: E731
    for size in SIZES:
        x = mixed_inputs(rng, size)
        dy = rng.standard_normal(size).astype(np.float32)
        y = activations.activation_forward(x, spec)
        got = activations.activation_backward(spec, dy, **saved_for_backward(spec, x, y))
        if name in SLOPE_FROM_OUTPUT:
            # The kernel sees only the float32 y: its gradient in float64 is the reference.
            y64 = y.astype(np.float64)
            slope = SLOPE_FROM_OUTPUT[name](y64)
            expected, slack = dy * slope, 0.0
        else:
            expected = dy * derivative(x)
            terms = ref.derivative_terms(name, x, **reference_params(params))
            slack = np.abs(dy) * (spread(derivative, x) + ULPS * EPS * terms)
        assert_close(got, expected, slack, f"{name}{params} backward, size {size}")


@pytest.mark.parametrize("name", ROW_WISE)
def test_softmax_rows_match_reference(kernel_set, rng, name):
    # 4097 and 9000: rows longer than the kernel's buffer, summed chunk by chunk.
    for rows, cols in [(1, 1), (7, 1), (1, 3), (7, 3), (5, 10), (3, 1000), (2, 17), (1, 4097), (2, 9000)]:
        x = (4.0 * rng.standard_normal((rows, cols))).astype(np.float32)
        got = activations.activation_forward(x, name)
        expected = ref.forward(name, x)
        shifted, carried = softmax_bounds(x)
        if name == "softmax":
            slack = EPS * np.abs(expected) * (shifted + carried)
        else:
            log_sum = np.abs(expected + shifted)  # log of the row sum
            slack = EPS * (shifted + 2 * log_sum + carried + 8)
        assert_close(got, expected, slack, f"{name} of {rows}x{cols}")
        if name == "softmax":
            assert np.allclose(got.sum(axis=-1), 1.0, rtol=0, atol=cols * 4 * EPS)


@pytest.mark.parametrize("name", ROW_WISE)
def test_softmax_backward_matches_reference(kernel_set, rng, name):
    for rows, cols in [(1, 1), (7, 3), (5, 10), (3, 1000), (2, 17)]:
        x = (4.0 * rng.standard_normal((rows, cols))).astype(np.float32)
        dy = rng.standard_normal((rows, cols)).astype(np.float32)
        y = activations.activation_forward(x, name)
        got = activations.activation_backward(name, dy, y=y)
        expected = ref.backward(name, dy, y=y)
        y64, dy64 = y.astype(np.float64), dy.astype(np.float64)
        terms = cols / 16 + 4
        if name == "softmax":
            dot = np.sum(np.abs(dy64 * y64), axis=-1, keepdims=True)
            slack = 4 * EPS * np.abs(y64) * (np.abs(dy64) + dot * terms)
        else:
            total = np.sum(np.abs(dy64), axis=-1, keepdims=True)
            slack = 4 * EPS * (np.abs(dy64) + np.exp(y64) * total * terms)
        assert_close(got, expected, slack, f"{name} backward of {rows}x{cols}")


def test_softmax_runs_over_the_last_axis_of_any_shape(kernel_set, rng):
    x = rng.standard_normal((2, 3, 4, 5)).astype(np.float32)
    for name in ROW_WISE:
        got = activations.activation_forward(x, name)
        flat = activations.activation_forward(x.reshape(-1, 5), name).reshape(x.shape)
        np.testing.assert_array_equal(got, flat)
        np.testing.assert_allclose(got, ref.forward(name, x), rtol=1e-5, atol=1e-6)
    # A 0-d array is one row of one element; a vector is one row.
    assert activations.activation_forward(np.float32(3.0), "softmax") == 1.0
    np.testing.assert_allclose(activations.activation_forward(x[0, 0, 0], "softmax"), ref.forward("softmax", x[0, 0, 0]), rtol=1e-6)


def test_elementwise_kinds_keep_any_shape(kernel_set, rng):
    x = rng.standard_normal((3, 1, 4, 2)).astype(np.float32)
    for name in ELEMENTWISE:
        got = activations.activation_forward(x, name)
        assert got.shape == x.shape
        np.testing.assert_array_equal(got.ravel(), activations.activation_forward(x.ravel(), name))
    assert activations.activation_forward(np.zeros((0, 3), np.float32), "gelu").shape == (0, 3)
    assert activations.activation_forward(np.zeros((4, 0), np.float32), "softmax").shape == (4, 0)


def test_in_place_forward_and_backward_equal_out_of_place(kernel_set, rng):
    for name in ALL:
        spec = ops.activation_spec(name, negative_slope=0.2 if name == "leaky_relu" else 0.0)
        x = mixed_inputs(rng, 289 * 7).reshape(289, 7)
        y = activations.activation_forward(x, spec)
        dy = rng.standard_normal(x.shape).astype(np.float32)
        dx = activations.activation_backward(spec, dy, **saved_for_backward(spec, x, y))
        x_copy, dy_copy = x.copy(), dy.copy()
        np.testing.assert_array_equal(activations.activation_forward(x_copy, spec, out=x_copy), y)
        saved = saved_for_backward(spec, x, y)
        np.testing.assert_array_equal(activations.activation_backward(spec, dy_copy, out=dy_copy, **saved), dx)


# ---------------------------------------------------------------- gradients by finite differences


def away_from_kinks(rng, size, kinks, margin=0.05):
    """Normal values moved at least `margin` away from each kink, so central differences stay on one side."""
    x = 2.0 * rng.standard_normal(size)
    for kink in kinks:
        near = np.abs(x - kink) < margin
        x[near] = kink + np.where(x[near] >= kink, margin, -margin) * 2
    return x


KINKS = {"relu": [0.0], "leaky_relu": [0.0], "elu": [0.0], "selu": [0.0], "hard_sigmoid": [-3.0, 3.0]}


@pytest.mark.parametrize("name, params", CASES, ids=CASE_IDS)
def test_elementwise_gradient_matches_finite_differences(kernel_set, rng, name, params):
    spec = spec_of(name, params)
    kinks = KINKS.get(name, []) + [params.get("threshold", 0.0), params.get("max_value", 0.0)]
    x = away_from_kinks(rng, 64, kinks)
    direction = rng.standard_normal(64)
    dy = rng.standard_normal(64)
    forward = lambda t: activations.activation_forward(t, spec)  # noqa: E731
    numeric = directional_derivative(forward, x, direction, dy, h=1e-2)
    x32 = x.astype(np.float32)
    dx = activations.activation_backward(
        spec, dy.astype(np.float32), **saved_for_backward(spec, x32, forward(x32))
    ).astype(np.float64)
    analytic = float(np.sum(dx * direction))
    scale = float(np.sum(np.abs(dx * direction))) + 1e-3
    assert abs(analytic - numeric) <= 2e-3 * scale, f"{name}{params}: analytic {analytic}, numeric {numeric}"


@pytest.mark.parametrize("name", ROW_WISE)
def test_softmax_gradient_matches_finite_differences(kernel_set, rng, name):
    x = 2.0 * rng.standard_normal((6, 10))
    direction = rng.standard_normal((6, 10))
    dy = rng.standard_normal((6, 10))
    forward = lambda t: activations.activation_forward(t, name)  # noqa: E731
    numeric = directional_derivative(forward, x, direction, dy, h=1e-2)
    x32 = x.astype(np.float32)
    dx = activations.activation_backward(name, dy.astype(np.float32), y=forward(x32)).astype(np.float64)
    analytic = float(np.sum(dx * direction))
    scale = float(np.sum(np.abs(dx * direction))) + 1e-3
    assert abs(analytic - numeric) <= 2e-3 * scale, f"{name}: analytic {analytic}, numeric {numeric}"


# ---------------------------------------------------------------- determinism


def every_result(rng, size, rows_cols):
    """Forward and backward outputs of every kind (and the relu variants) on fixed inputs."""
    results = []
    x = mixed_inputs(rng, size)
    x[:5] = [np.nan, np.inf, -np.inf, 1e30, -1e30]
    dy = rng.standard_normal(size).astype(np.float32)
    rows = (4.0 * rng.standard_normal(rows_cols)).astype(np.float32)
    row_dy = rng.standard_normal(rows_cols).astype(np.float32)
    for name, params in CASES:
        spec = spec_of(name, params)
        y = activations.activation_forward(x, spec)
        results += [y, activations.activation_backward(spec, dy, **saved_for_backward(spec, x, y))]
    for name in ROW_WISE:
        y = activations.activation_forward(rows, name)
        results += [y, activations.activation_backward(name, row_dy, y=y)]
    return results


def test_both_kernel_sets_give_identical_bits():
    sets = kernas.config.available_cpu_features()
    if len(sets) < 2:
        pytest.skip("this CPU runs only the reference kernels")
    previous = kernas.config.cpu_features()
    results = {}
    try:
        for name in sets:
            kernas.config.set_cpu_features(name)
            results[name] = every_result(np.random.default_rng(7), 4099, (37, 1003))
    finally:
        kernas.config.set_cpu_features(previous)
    for got, want in zip(results[sets[-1]], results[sets[0]]):
        np.testing.assert_array_equal(got.view(np.uint32), want.view(np.uint32))


def test_one_and_two_threads_give_identical_bits(kernel_set, restore_threads):
    outputs = []
    for threads in (1, 2):
        kernas.config.set_num_threads(threads)
        # Large enough that 2 threads split even the cheap kinds and the softmax rows.
        outputs.append(every_result(np.random.default_rng(11), 300_001, (2500, 33)))
    for one, two in zip(*outputs):
        np.testing.assert_array_equal(one.view(np.uint32), two.view(np.uint32))


@pytest.mark.parametrize("name, params", CASES, ids=CASE_IDS)
def test_gemm_epilogue_equals_a_separate_pass(kernel_set, rng, name, params):
    """The GEMM epilogue applies the activation to 16-column pieces of each tile
    (activation_forward_inplace_serial); the bits must equal one separate pass."""
    spec = spec_of(name, params)
    for batch, inputs, units in [(7, 5, 3), (13, 17, 33), (64, 40, 100)]:
        x = rng.standard_normal((batch, inputs)).astype(np.float32)
        kernel = rng.standard_normal((inputs, units)).astype(np.float32)
        bias = rng.standard_normal(units).astype(np.float32)
        linear = ops.matmul(x, kernel) + bias
        fused = dense.dense_forward(x, kernel, bias, spec)
        np.testing.assert_array_equal(fused.view(np.uint32), activations.activation_forward(linear, spec).view(np.uint32))


# ---------------------------------------------------------------- extreme values


EXTREMES = np.array(
    [-1e4, -1e3, -150.0, -104.5, -88.8, -87.4, -86.9, -20.0, -13.2, -9.0, -1e-30, 0.0, -0.0,
     1e-30, 9.0, 13.2, 20.0, 86.9, 87.4, 88.7, 88.8, 104.5, 150.0, 1e3, 1e4],
    dtype=np.float32,
)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_extreme_inputs_give_the_right_limits(kernel_set, name):
    spec = ops.activation_spec(name, negative_slope=0.2 if name == "leaky_relu" else 0.0)
    params = {"negative_slope": 0.2} if name == "leaky_relu" else {}
    got = activations.activation_forward(EXTREMES, spec)
    fn = lambda t: ref.forward(name, t, **reference_params(params))  # noqa: E731
    expected = fn(EXTREMES)
    assert_close(got, expected, spread(fn, EXTREMES), f"{name} at extreme inputs")
    if name != "exponential":
        assert np.all(np.isfinite(got))
    derivative = lambda t: ref.derivative(name, t, **reference_params(params))  # noqa: E731
    dy = np.ones_like(EXTREMES)
    dx = activations.activation_backward(spec, dy, **saved_for_backward(spec, EXTREMES, got))
    if name in SLOPE_FROM_OUTPUT:
        expected = SLOPE_FROM_OUTPUT[name](got.astype(np.float64))
        assert_close(dx, expected, 0.0, f"{name} gradient at extreme inputs")
    else:
        slack = spread(derivative, EXTREMES) + ULPS * EPS * ref.derivative_terms(name, EXTREMES, **params)
        assert_close(dx, derivative(EXTREMES), slack, f"{name} gradient at extreme inputs")


def test_extreme_limits_are_exact_where_keras_saturates(kernel_set):
    big = np.array([-1e4, 1e4], dtype=np.float32)
    np.testing.assert_array_equal(activations.activation_forward(big, "sigmoid"), [0.0, 1.0])
    np.testing.assert_array_equal(activations.activation_forward(big, "tanh"), [-1.0, 1.0])
    np.testing.assert_array_equal(activations.activation_forward(big, "softplus"), [0.0, 1e4])
    np.testing.assert_array_equal(activations.activation_forward(big, "silu"), [0.0, 1e4])
    np.testing.assert_array_equal(activations.activation_forward(big, "gelu"), [0.0, 1e4])
    np.testing.assert_array_equal(activations.activation_forward(big, "gelu_tanh"), [0.0, 1e4])
    np.testing.assert_array_equal(activations.activation_forward(big, "exponential"), [0.0, np.inf])


@pytest.mark.parametrize("name", ROW_WISE)
def test_softmax_of_huge_logits_is_finite(kernel_set, name):
    x = np.array([[1e4, -1e4, 0.0, 1e4 - 1.0], [-1e4, -1e4 + 2.0, -1e4, -1e4], [1e4, 1e4, 1e4, 1e4]], np.float32)
    got = activations.activation_forward(x, name)
    assert np.all(np.isfinite(got))
    np.testing.assert_allclose(got, ref.forward(name, x), rtol=1e-6, atol=1e-30)


def test_nan_propagates_through_every_kind(kernel_set):
    x = np.array([np.nan, 1.0, -2.0, np.nan, 0.5, 3.0, -1.0], dtype=np.float32)
    for name, params in CASES:
        got = activations.activation_forward(x, spec_of(name, params))
        np.testing.assert_array_equal(np.isnan(got), np.isnan(x), err_msg=f"{name}{params}")
    rows = np.array([[1.0, np.nan, 2.0], [1.0, 0.0, 2.0]], dtype=np.float32)
    for name in ROW_WISE:
        got = activations.activation_forward(rows, name)
        assert np.all(np.isnan(got[0])) and np.all(np.isfinite(got[1])), name


# ---------------------------------------------------------------- independent oracles


def torch_function(torch, name, params):
    F = torch.nn.functional
    table = {
        "linear": lambda t: t,
        "relu": F.relu,
        "leaky_relu": lambda t: F.leaky_relu(t, params.get("negative_slope", 0.0)),
        "elu": lambda t: F.elu(t, params.get("alpha", 1.0)),
        "selu": F.selu,
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
        "softmax": lambda t: torch.softmax(t, -1),
        "log_softmax": lambda t: torch.log_softmax(t, -1),
        "softplus": lambda t: F.softplus(t, threshold=1000.0),
        "softsign": F.softsign,
        "silu": F.silu,
        "gelu": lambda t: F.gelu(t, approximate="none"),
        "gelu_tanh": lambda t: F.gelu(t, approximate="tanh"),
        "hard_sigmoid": F.hardsigmoid,
        "exponential": torch.exp,
    }
    return table[name]


@pytest.mark.parametrize("name", ALL)
def test_matches_torch_forward_and_gradient(kernel_set, rng, name):
    torch = pytest.importorskip("torch")
    params = {"negative_slope": 0.2} if name == "leaky_relu" else {"alpha": 0.7} if name == "elu" else {}
    spec = ops.activation_spec(name, **params)
    shape = (9, 13) if name in ROW_WISE else (117,)
    x = away_from_kinks(rng, int(np.prod(shape)), KINKS.get(name, [])).reshape(shape).astype(np.float32)
    dy = rng.standard_normal(shape).astype(np.float32)
    t = torch.tensor(x.astype(np.float64), requires_grad=True)
    out = torch_function(torch, name, params)(t)
    out.backward(torch.tensor(dy.astype(np.float64)))
    y = activations.activation_forward(x, spec)
    dx = activations.activation_backward(spec, dy, **saved_for_backward(spec, x, y))
    np.testing.assert_allclose(y, out.detach().numpy(), rtol=2e-6, atol=1e-6)
    np.testing.assert_allclose(dx, t.grad.numpy(), rtol=2e-5, atol=2e-6)



# activation_spec("leaky_relu") takes negative_slope explicitly (Keras's own default is 0.2).
KERAS_CASES = (
    [(name, {}) for name in ELEMENTWISE if name not in ("gelu_tanh", "leaky_relu")]
    + VARIANTS[1:8]
    + [("leaky_relu", {"negative_slope": 0.2}), ("elu", {"alpha": 0.4})]
)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("name, params", KERAS_CASES, ids=[n + str(p) for n, p in KERAS_CASES])
def test_matches_keras_3(keras, rng, name, params):
    """Keras 3 computes in float32 with its own formulas: agreement to float32 noise pins the semantics."""
    x = np.linspace(-6.0, 6.0, 241, dtype=np.float32)
    function = getattr(keras.activations, name)
    expected = keras.ops.convert_to_numpy(function(x, **params))
    got = activations.activation_forward(x, ops.activation_spec(name, **params))
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=2e-6)
    if name == "gelu":
        approximate = keras.ops.convert_to_numpy(keras.activations.gelu(x, approximate=True))
        np.testing.assert_allclose(activations.activation_forward(x, "gelu_tanh"), approximate, rtol=1e-5, atol=2e-6)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_keras_3_softmax_kinds(keras, rng):
    x = (3.0 * rng.standard_normal((4, 7, 11))).astype(np.float32)
    for name in ROW_WISE:
        expected = keras.ops.convert_to_numpy(getattr(keras.activations, name)(x))
        np.testing.assert_allclose(activations.activation_forward(x, name), expected, rtol=1e-5, atol=1e-6)


# ---------------------------------------------------------------- bad input


def test_unknown_activation_names_are_value_errors():
    with pytest.raises(ValueError, match="Expected an activation name.*Received: name='swishy'"):
        activations.activation_forward(np.ones(3), "swishy")
    with pytest.raises(TypeError, match="activation name"):
        activations.activation_forward(np.ones(3), 3)


def test_backward_says_which_saved_tensor_is_missing():
    dy = np.ones(4, np.float32)
    with pytest.raises(ValueError, match="Expected `x`, the forward input, for the gradient of activation 'gelu'"):
        activations.activation_backward("gelu", dy, y=dy)
    with pytest.raises(ValueError, match="Expected `y`, the forward output, for the gradient of activation 'softmax'"):
        activations.activation_backward("softmax", dy, x=dy)
    np.testing.assert_array_equal(activations.activation_backward("linear", dy), dy)


def test_bad_arrays_are_clear_errors():
    x = np.ones((2, 3), np.float32)
    with pytest.raises(TypeError, match="Expected `x` to hold real numbers"):
        activations.activation_forward(np.array(["a"]), "relu")
    with pytest.raises(ValueError, match=r"Expected `out` to have shape \(2, 3\)"):
        activations.activation_forward(x, "relu", out=np.empty((3, 2), np.float32))
    with pytest.raises(ValueError, match="writeable, C-contiguous float32"):
        activations.activation_forward(x, "relu", out=np.empty((2, 3), np.float64))
    with pytest.raises(ValueError, match="writeable, C-contiguous float32"):
        activations.activation_forward(x, "relu", out=np.empty((3, 2), np.float32).T)
    with pytest.raises(TypeError, match="numpy.ndarray"):
        activations.activation_forward(x, "relu", out=[0.0] * 6)
    with pytest.raises(ValueError, match=r"Expected `x` to have the shape of `dy`, \(2, 3\)"):
        activations.activation_backward("gelu", x, x=np.ones(6, np.float32))
    with pytest.raises(ValueError, match=r"Expected `y` to have the shape of `dy`"):
        activations.activation_backward("sigmoid", x, y=np.ones((3, 2), np.float32))


def test_direct_core_calls_are_checked_not_crashed():
    spec = ops.activation_spec("relu", threshold=0.5)  # its gradient reads x
    x = np.ones((4, 5), np.float32)
    with pytest.raises(ValueError, match=r"Expected `y` to have the shape of `x`, \(4, 5\)"):
        _core.activation_forward(x, spec, np.empty((5, 4), np.float32))
    with pytest.raises(ValueError, match="dtype float32"):
        _core.activation_forward(x, spec, np.empty((4, 5), np.float64))
    with pytest.raises(ValueError, match="not to share memory"):
        buffer = np.ones(21, np.float32)
        _core.activation_forward(buffer[:20].reshape(4, 5), spec, buffer[1:].reshape(4, 5))
    with pytest.raises(ValueError, match=r"Expected `dx` to have the shape of `dy`"):
        _core.activation_backward(spec, x, None, x, np.empty(20, np.float32))
    with pytest.raises(ValueError, match="Expected `x`, the forward input"):
        _core.activation_backward(spec, None, None, x, np.empty_like(x))
    with pytest.raises(ValueError, match=r"Expected `x` to have the shape of `dy`"):
        _core.activation_backward(spec, np.ones(3, np.float32), None, x, np.empty_like(x))
    with pytest.raises(ValueError, match="Expected `dx` not to share memory with `x`"):
        _core.activation_backward(spec, x, None, np.ones_like(x), x)
    with pytest.raises(TypeError):
        _core.activation_forward(x, "relu", np.empty_like(x))
