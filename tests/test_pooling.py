"""Pooling kernels (kernas.ops.pooling) against the float64 reference, PyTorch, and themselves."""

import numpy as np
import pytest

import kernas
from kernas import _core
from kernas.ops import pooling

from reference import pooling as ref

# (input shape, pool_size, strides, padding): odd sizes, channels 1/3/5/17/33/41
# (groups of vector blocks, single blocks, scalar tail), batch 1 and 7,
# overlapping windows, strides larger than the pool (gaps no window holds),
# 'same' with even pools and odd total padding (one more after than before),
# pools as large as or larger than the input; 2x2 and 3x3 pools take the
# unrolled path inside the image and the general one at its padded edges.
CASES = [
    ((1, 7, 9, 1), (2, 2), None, "valid"),
    ((7, 5, 5, 3), (3, 3), (2, 2), "valid"),
    ((2, 9, 7, 5), (3, 3), (1, 1), "same"),
    ((3, 8, 6, 17), (2, 2), (1, 1), "same"),
    ((2, 11, 10, 17), (4, 4), (3, 3), "same"),
    ((7, 7, 8, 3), (2, 2), (3, 3), "valid"),
    ((2, 7, 7, 5), (2, 3), (1, 2), "same"),
    ((1, 5, 6, 17), (5, 6), None, "valid"),
    ((1, 3, 4, 5), (5, 7), (2, 3), "same"),
    ((2, 13, 13, 33), (3, 3), (2, 2), "same"),
    ((2, 9, 10, 41), (2, 3), (3, 4), "same"),
]
CASE_IDS = ["x".join(map(str, s)) + f"-p{p[0]}{p[1]}-s{(t or p)[0]}{(t or p)[1]}-{pad}" for s, p, t, pad in CASES]
# Global pooling keeps up to 4 vector blocks of channels in registers and walks
# the positions in chunks of 8 beyond that: both sides of both limits.
GLOBAL_SHAPES = [(1, 1, 1, 1), (7, 5, 3, 17), (2, 9, 11, 3), (3, 1, 13, 5), (1, 4, 4, 33), (2, 3, 5, 70)]


def window_args(case):
    shape, pool, strides, padding = case
    return shape, pool, strides or pool, padding


def pool_area(pool):
    return pool[0] * pool[1]


# ---- parity with the float64 reference -----------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_max_pool2d_matches_reference(kernel_set, rng, case):
    shape, pool, strides, padding = window_args(case)
    x = rng.standard_normal(shape, dtype=np.float32)
    y, indices = pooling.max_pool2d_forward(x, pool, strides, padding, return_indices=True)
    expected_y, expected_indices = ref.max_pool2d(x, pool, strides, padding)
    np.testing.assert_array_equal(y, expected_y.astype(np.float32))
    np.testing.assert_array_equal(indices, expected_indices)
    assert indices.dtype == np.int32
    np.testing.assert_array_equal(pooling.max_pool2d_forward(x, pool, strides, padding), y)

    dy = rng.standard_normal(y.shape, dtype=np.float32)
    dx = pooling.max_pool2d_backward(dy, indices, shape, pool, strides, padding)
    expected_dx = ref.max_pool2d_backward(dy, expected_indices, shape)
    bound = ref.sum_error_bound(pool_area(pool), ref.max_pool2d_backward(np.abs(dy), expected_indices, shape))
    assert dx.shape == shape and dx.dtype == np.float32
    assert np.all(np.abs(dx - expected_dx) <= bound)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_avg_pool2d_matches_reference(kernel_set, rng, case):
    shape, pool, strides, padding = window_args(case)
    x = rng.standard_normal(shape, dtype=np.float32)
    y = pooling.avg_pool2d_forward(x, pool, strides, padding)
    bound = ref.sum_error_bound(pool_area(pool), ref.avg_pool2d(np.abs(x), pool, strides, padding))
    assert np.all(np.abs(y - ref.avg_pool2d(x, pool, strides, padding)) <= bound)

    dy = rng.standard_normal(y.shape, dtype=np.float32)
    dx = pooling.avg_pool2d_backward(dy, shape, pool, strides, padding)
    expected_dx = ref.avg_pool2d_backward(dy, shape, pool, strides, padding)
    bound = ref.sum_error_bound(pool_area(pool), ref.avg_pool2d_backward(np.abs(dy), shape, pool, strides, padding))
    assert dx.shape == shape and dx.dtype == np.float32
    assert np.all(np.abs(dx - expected_dx) <= bound)


@pytest.mark.parametrize("shape", GLOBAL_SHAPES, ids=lambda s: "x".join(map(str, s)))
def test_global_pools_match_reference(kernel_set, rng, shape):
    x = rng.standard_normal(shape, dtype=np.float32)
    positions = shape[1] * shape[2]
    y, indices = pooling.global_max_pool2d_forward(x, return_indices=True)
    expected_y, expected_indices = ref.global_max_pool2d(x)
    np.testing.assert_array_equal(y, expected_y.astype(np.float32))
    np.testing.assert_array_equal(indices, expected_indices)
    np.testing.assert_array_equal(pooling.global_max_pool2d_forward(x), y)
    dy = rng.standard_normal(y.shape, dtype=np.float32)
    np.testing.assert_array_equal(
        pooling.global_max_pool2d_backward(dy, indices, shape), ref.global_max_pool2d_backward(dy, indices, shape)
    )

    mean = pooling.global_avg_pool2d_forward(x)
    bound = ref.sum_error_bound(positions, np.abs(x).astype(np.float64).mean(axis=(1, 2)))
    assert mean.shape == (shape[0], shape[3])
    assert np.all(np.abs(mean - ref.global_avg_pool2d(x)) <= bound)
    dx = pooling.global_avg_pool2d_backward(dy, shape)
    expected_dx = ref.global_avg_pool2d_backward(dy, shape)
    assert np.all(np.abs(dx - expected_dx) <= ref.sum_error_bound(1, np.abs(expected_dx)))


def test_output_shape_follows_keras_rules():
    # valid: floor((in - pool) / stride) + 1; same: ceil(in / stride).
    assert pooling.pool2d_output_shape((8, 26, 26, 32), 2) == (8, 13, 13, 32)
    assert pooling.pool2d_output_shape((8, 11, 11, 64), (2, 2)) == (8, 5, 5, 64)
    assert pooling.pool2d_output_shape((1, 7, 10, 3), (3, 2), (2, 3)) == (1, 3, 3, 3)
    assert pooling.pool2d_output_shape((1, 7, 10, 3), (3, 2), (2, 3), "same") == (1, 4, 4, 3)
    assert pooling.pool2d_output_shape((1, 3, 4, 5), (5, 7), (2, 3), "SAME") == (1, 2, 2, 5)
    assert pooling.pool2d_output_shape((None, None, 9, 3), 2, padding="Valid") == (None, None, 4, 3)
    for case in CASES:
        shape, pool, strides, padding = window_args(case)
        expected = ref.output_shape(shape, pool, strides, padding)
        assert pooling.pool2d_output_shape(shape, pool, strides, padding) == expected


# ---- ties, NaN and infinities --------------------------------------------------------------------


def test_first_maximum_wins_by_hand():
    x = np.array([[1, 3, 3, 0], [3, 2, 0, 0]], np.float32).reshape(1, 2, 4, 1)
    y, indices = pooling.max_pool2d_forward(x, 2, return_indices=True)
    assert y.ravel().tolist() == [3, 3]
    assert indices.ravel().tolist() == [1, 2]  # (0, 1) before (1, 0); (0, 2)
    dx = pooling.max_pool2d_backward(np.ones_like(y), indices, x.shape, 2)
    assert dx.reshape(2, 4).tolist() == [[0, 1, 1, 0], [0, 0, 0, 0]]


@pytest.mark.parametrize("case", CASES[1:5], ids=CASE_IDS[1:5])
def test_ties_go_to_the_first_maximum(kernel_set, rng, case):
    shape, pool, strides, padding = window_args(case)
    x = rng.integers(0, 3, shape).astype(np.float32)  # nearly every window holds ties
    x[0] = 7.0  # a constant image: every window's first valid position
    y, indices = pooling.max_pool2d_forward(x, pool, strides, padding, return_indices=True)
    np.testing.assert_array_equal(indices, ref.max_pool2d(x, pool, strides, padding)[1])
    rows = ref.axis_windows(shape[1], pool[0], strides[0], padding)
    cols = ref.axis_windows(shape[2], pool[1], strides[1], padding)
    first = np.array([[h0 * shape[2] + w0 for w0, _ in cols] for h0, _ in rows])
    np.testing.assert_array_equal(indices[0], np.broadcast_to(first[:, :, None], indices[0].shape))
    # The gradient goes to the first maximum only.
    dx = pooling.max_pool2d_backward(np.ones_like(y), indices, shape, pool, strides, padding)
    np.testing.assert_array_equal(dx, ref.max_pool2d_backward(np.ones(y.shape), indices, shape))


def test_global_max_ties_go_to_the_first_maximum(kernel_set, rng):
    x = rng.integers(0, 2, (3, 5, 4, 11)).astype(np.float32)
    x[1] = -2.0
    y, indices = pooling.global_max_pool2d_forward(x, return_indices=True)
    np.testing.assert_array_equal(indices, ref.global_max_pool2d(x)[1])
    assert np.all(indices[1] == 0)
    dx = pooling.global_max_pool2d_backward(np.ones_like(y), indices, x.shape)
    assert np.all(dx.reshape(3, 20, 11).sum(axis=1) == 1)


def special_values_image(channels):
    """One 2x10 image of five 2x2 windows: NaN first, -inf only, +inf before a NaN,
    -inf with +inf, and NaNs after a number."""
    nan, inf = np.nan, np.inf
    image = np.array(
        [
            [nan, 1.0, -inf, -inf, inf, 5.0, -inf, 3.0, 1.0, nan],
            [4.0, nan, -inf, -inf, 2.0, nan, inf, 0.0, nan, 4.0],
        ],
        np.float32,
    )
    return np.repeat(image[None, :, :, None], channels, axis=3)


@pytest.mark.parametrize("channels", [1, 9])
def test_nan_and_infinities_follow_tensorflows_rule(kernel_set, channels):
    # An element replaces the running maximum only if it compares greater.
    x = special_values_image(channels)
    y, indices = pooling.max_pool2d_forward(x, 2, return_indices=True)
    expected_y = [np.nan, -np.inf, np.inf, np.inf, 4.0]
    expected_indices = [0, 2, 4, 16, 19]  # NaN first stays; all -inf: the first; NaN after +inf ignored
    for window, (value, position) in enumerate(zip(expected_y, expected_indices)):
        np.testing.assert_array_equal(y[0, 0, window], np.full(channels, value, np.float32))
        assert (indices[0, 0, window] == position).all()
    np.testing.assert_array_equal(indices, ref.max_pool2d(x, (2, 2), (2, 2), "valid")[1])
    np.testing.assert_array_equal(pooling.max_pool2d_forward(x, 2), y)
    mean = pooling.avg_pool2d_forward(x, 2)[0, 0, :, 0]
    assert np.isnan(mean[[0, 2, 3, 4]]).all() and mean[1] == -np.inf

    y, indices = pooling.global_max_pool2d_forward(x, return_indices=True)
    assert np.isnan(y).all() and (indices == 0).all()  # a NaN first element
    later = x.copy()
    later[0, 0, 0] = 0.0  # now the NaNs come after numbers and are never taken
    y, indices = pooling.global_max_pool2d_forward(later, return_indices=True)
    assert (y == np.inf).all() and (indices == 4).all()
    np.testing.assert_array_equal(pooling.global_max_pool2d_forward(later), y)
    # A NaN gradient reaches only the element its window routes to.
    dy = np.full((1, 1, 5, channels), np.nan, np.float32)
    dx = pooling.max_pool2d_backward(dy, pooling.max_pool2d_forward(x, 2, return_indices=True)[1], x.shape, 2)
    assert np.isnan(dx).sum() == 5 * channels


# ---- finite differences ----------------------------------------------------------------------------


def directional_derivative(forward, x, direction, weights):
    """Central difference of L(x) = <weights, forward(x)> along direction, step 1, in float64."""
    def loss(point):
        return float(np.sum(weights.astype(np.float64) * forward(point.astype(np.float32))))

    return (loss(x + direction) - loss(x - direction)) / 2.0


def separated_input(rng, shape):
    """Distinct integers (gaps of 1) and a direction of eighths below 1/2: the arg-max never
    moves and every value in the difference quotient is exact in float32."""
    x = rng.permutation(int(np.prod(shape))).reshape(shape).astype(np.float64)
    direction = rng.integers(-3, 4, shape) / 8.0
    return x, direction


FD_CASES = [CASES[1], CASES[2], CASES[4], CASES[6]]
FD_IDS = [CASE_IDS[1], CASE_IDS[2], CASE_IDS[4], CASE_IDS[6]]


@pytest.mark.parametrize("case", FD_CASES, ids=FD_IDS)
def test_max_pool2d_gradient_by_finite_differences(kernel_set, rng, case):
    shape, pool, strides, padding = window_args(case)
    x, direction = separated_input(rng, shape)
    _, indices = pooling.max_pool2d_forward(x, pool, strides, padding, return_indices=True)
    weights = rng.standard_normal(indices.shape, dtype=np.float32)
    dx = pooling.max_pool2d_backward(weights, indices, shape, pool, strides, padding)
    forward = lambda p: pooling.max_pool2d_forward(p, pool, strides, padding)  # noqa: E731
    numeric = directional_derivative(forward, x, direction, weights)
    analytic = float(np.sum(dx.astype(np.float64) * direction))
    # Every term is exact; only float64 summation separates the two.
    assert abs(numeric - analytic) <= 1e-9 * float(np.sum(np.abs(weights)))


@pytest.mark.parametrize("case", FD_CASES, ids=FD_IDS)
def test_avg_pool2d_gradient_by_finite_differences(kernel_set, rng, case):
    shape, pool, strides, padding = window_args(case)
    x = rng.standard_normal(shape)
    direction = rng.standard_normal(shape)
    out_shape = ref.output_shape(shape, pool, strides, padding)
    weights = rng.standard_normal(out_shape, dtype=np.float32)
    dx = pooling.avg_pool2d_backward(weights, shape, pool, strides, padding)
    forward = lambda p: pooling.avg_pool2d_forward(p, pool, strides, padding)  # noqa: E731
    numeric = directional_derivative(forward, x, direction, weights)
    analytic = float(np.sum(dx.astype(np.float64) * direction))
    # Average pooling is linear: the quotient is exact but for float32 rounding of
    # the inputs, the two forwards and dx, bounded here element by element.
    k = pool_area(pool)
    forward_error = ref.sum_error_bound(k, ref.avg_pool2d(np.abs(x) + np.abs(direction), pool, strides, padding) + 1)
    backward_error = ref.sum_error_bound(k, ref.avg_pool2d_backward(np.abs(weights), shape, pool, strides, padding))
    tolerance = np.sum(np.abs(weights) * forward_error) + np.sum(np.abs(direction) * backward_error)
    assert abs(numeric - analytic) <= tolerance


def test_global_pool_gradients_by_finite_differences(kernel_set, rng):
    shape = (3, 5, 7, 9)
    x, direction = separated_input(rng, shape)
    _, indices = pooling.global_max_pool2d_forward(x, return_indices=True)
    weights = rng.standard_normal(indices.shape, dtype=np.float32)
    dx = pooling.global_max_pool2d_backward(weights, indices, shape)
    numeric = directional_derivative(pooling.global_max_pool2d_forward, x, direction, weights)
    assert abs(numeric - float(np.sum(dx.astype(np.float64) * direction))) <= 1e-9 * float(np.sum(np.abs(weights)))

    x = rng.standard_normal(shape)
    direction = rng.standard_normal(shape)
    dx = pooling.global_avg_pool2d_backward(weights, shape)
    numeric = directional_derivative(pooling.global_avg_pool2d_forward, x, direction, weights)
    positions = shape[1] * shape[2]
    forward_error = ref.sum_error_bound(positions, (np.abs(x) + np.abs(direction)).mean(axis=(1, 2)) + 1)
    tolerance = np.sum(np.abs(weights) * forward_error) + np.sum(np.abs(direction) * ref.sum_error_bound(1, np.abs(dx)))
    assert abs(numeric - float(np.sum(dx.astype(np.float64) * direction))) <= tolerance


# ---- determinism: kernel sets and thread counts ------------------------------------------------------


def run_all(x, case):
    _, pool, strides, padding = window_args(case)
    y, indices = pooling.max_pool2d_forward(x, pool, strides, padding, return_indices=True)
    dy = np.cos(np.arange(y.size, dtype=np.float32)).reshape(y.shape)
    gy, gi = pooling.global_max_pool2d_forward(x, return_indices=True)
    gdy = np.sin(np.arange(gy.size, dtype=np.float32)).reshape(gy.shape)
    return [
        y,
        indices,
        pooling.max_pool2d_backward(dy, indices, x.shape, pool, strides, padding),
        pooling.avg_pool2d_forward(x, pool, strides, padding),
        pooling.avg_pool2d_backward(dy, x.shape, pool, strides, padding),
        gy,
        gi,
        pooling.global_max_pool2d_backward(gdy, gi, x.shape),
        pooling.global_avg_pool2d_forward(x),
        pooling.global_avg_pool2d_backward(gdy, x.shape),
    ]


def test_kernel_sets_agree_bitwise(rng):
    sets = kernas.config.available_cpu_features()
    if len(sets) < 2:
        pytest.skip("only one kernel set on this CPU")
    x = rng.standard_normal((3, 13, 11, 19), dtype=np.float32)
    previous = kernas.config.cpu_features()
    try:
        results = []
        for name in sets:
            kernas.config.set_cpu_features(name)
            results.append([run_all(x, case) for case in (CASES[2], CASES[4], CASES[5])])
    finally:
        kernas.config.set_cpu_features(previous)
    for first, other in zip(results[0], results[1]):
        for a, b in zip(first, other):
            assert a.tobytes() == b.tobytes()


def test_thread_counts_agree_bitwise(kernel_set, rng, restore_threads):
    # Large enough that every kernel splits: e.g. max forward has 8 * 13 output
    # rows of 13 * 32 * 10 elements (grain 7 rows), its backward 8 * 26 input
    # rows (grain 19), global backward 8 * 676 positions of 32 (grain 1024).
    x = rng.standard_normal((8, 26, 26, 32), dtype=np.float32)
    case = ((8, 26, 26, 32), (3, 3), (2, 2), "same")
    kernas.config.set_num_threads(1)
    single = run_all(x, case)
    kernas.config.set_num_threads(2)
    double = run_all(x, case)
    for a, b in zip(single, double):
        assert a.tobytes() == b.tobytes()


# ---- PyTorch as an independent oracle --------------------------------------------------------------


def tf_padding(extent, pool, stride, padding):
    """(before, after) of TensorFlow's padding along one axis, computed afresh for the oracle."""
    if padding == "valid":
        return 0, 0
    out = -(-extent // stride)
    total = max((out - 1) * stride + pool - extent, 0)
    return total // 2, total - total // 2


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_against_torch(kernel_set, rng, case):
    torch = pytest.importorskip("torch")
    functional = torch.nn.functional
    shape, pool, strides, padding = window_args(case)
    (top, bottom), (left, right) = (tf_padding(shape[i + 1], pool[i], strides[i], padding) for i in range(2))
    x = rng.standard_normal(shape, dtype=np.float32)
    dy_shape = ref.output_shape(shape, pool, strides, padding)
    dy = rng.standard_normal(dy_shape, dtype=np.float32)
    to_nchw = lambda a: torch.from_numpy(a).permute(0, 3, 1, 2)  # noqa: E731
    to_nhwc = lambda t: t.permute(0, 2, 3, 1).detach().numpy()  # noqa: E731

    # Max: pad with -inf explicitly (TensorFlow pads more after than before when the total is odd).
    xt = to_nchw(x).clone().requires_grad_(True)
    padded = functional.pad(xt, (left, right, top, bottom), value=-np.inf)
    yt, it = functional.max_pool2d(padded, pool, strides, return_indices=True)
    yt.backward(to_nchw(dy))
    y, indices = pooling.max_pool2d_forward(x, pool, strides, padding, return_indices=True)
    np.testing.assert_array_equal(y, to_nhwc(yt))
    padded_width = shape[2] + left + right
    torch_indices = to_nhwc(it)
    np.testing.assert_array_equal(
        indices, (torch_indices // padded_width - top) * shape[2] + torch_indices % padded_width - left
    )
    dx = pooling.max_pool2d_backward(dy, indices, shape, pool, strides, padding)
    np.testing.assert_allclose(dx, to_nhwc(xt.grad), rtol=1e-6, atol=1e-6)

    # Average: torch's count_include_pad=False matches where the padding is symmetric;
    # otherwise window sums over zero padding divided by the count of real elements.
    xt = to_nchw(x).clone().requires_grad_(True)
    if (top, left) == (bottom, right):
        yt = functional.avg_pool2d(xt, pool, strides, padding=(top, left), count_include_pad=False)
    else:
        pads = (left, right, top, bottom)
        sums = functional.avg_pool2d(functional.pad(xt, pads), pool, strides, divisor_override=1)
        counts = functional.avg_pool2d(functional.pad(torch.ones_like(xt), pads), pool, strides, divisor_override=1)
        yt = sums / counts
    yt.backward(to_nchw(dy))
    np.testing.assert_allclose(pooling.avg_pool2d_forward(x, pool, strides, padding), to_nhwc(yt), rtol=1e-5, atol=1e-6)
    dx = pooling.avg_pool2d_backward(dy, shape, pool, strides, padding)
    np.testing.assert_allclose(dx, to_nhwc(xt.grad), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("shape", GLOBAL_SHAPES, ids=lambda s: "x".join(map(str, s)))
def test_global_pools_against_torch(kernel_set, rng, shape):
    torch = pytest.importorskip("torch")
    x = rng.standard_normal(shape, dtype=np.float32)
    dy = rng.standard_normal((shape[0], shape[3]), dtype=np.float32)
    xt = torch.from_numpy(x).permute(0, 3, 1, 2).clone().requires_grad_(True)
    yt, it = torch.nn.functional.adaptive_max_pool2d(xt, 1, return_indices=True)
    yt.backward(torch.from_numpy(dy)[:, :, None, None])
    y, indices = pooling.global_max_pool2d_forward(x, return_indices=True)
    np.testing.assert_array_equal(y, yt[:, :, 0, 0].detach().numpy())
    np.testing.assert_array_equal(indices, it[:, :, 0, 0].numpy())
    np.testing.assert_array_equal(
        pooling.global_max_pool2d_backward(dy, indices, shape), xt.grad.permute(0, 2, 3, 1).numpy()
    )

    xt = torch.from_numpy(x).permute(0, 3, 1, 2).clone().requires_grad_(True)
    mean = xt.mean(dim=(2, 3))
    mean.backward(torch.from_numpy(dy))
    np.testing.assert_allclose(pooling.global_avg_pool2d_forward(x), mean.detach().numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(
        pooling.global_avg_pool2d_backward(dy, shape), xt.grad.permute(0, 2, 3, 1).numpy(), rtol=1e-6, atol=1e-7
    )


# ---- inputs that are not the happy path ----------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_every_output_element_is_written(kernel_set, rng, case):
    # Outputs passed in full of NaN: an element a kernel forgets (a gap between
    # windows, a row no window holds) stays NaN and fails the comparison.
    shape, pool, strides, padding = window_args(case)
    x = rng.standard_normal(shape, dtype=np.float32)
    pooled = ref.output_shape(shape, pool, strides, padding)
    dy = rng.standard_normal(pooled, dtype=np.float32)
    y, indices = pooling.max_pool2d_forward(x, pool, strides, padding, return_indices=True)

    def garbage(like):
        return np.full(like.shape, np.nan if like.dtype == np.float32 else -7, like.dtype)

    out, out_indices = garbage(y), garbage(indices)
    pooling.max_pool2d_forward(x, pool, strides, padding, return_indices=True, out=out, out_indices=out_indices)
    np.testing.assert_array_equal(out, y)
    np.testing.assert_array_equal(out_indices, indices)
    np.testing.assert_array_equal(pooling.avg_pool2d_forward(x, pool, strides, padding, out=garbage(y)),
                                  pooling.avg_pool2d_forward(x, pool, strides, padding))
    np.testing.assert_array_equal(
        pooling.max_pool2d_backward(dy, indices, shape, pool, strides, padding, out=garbage(x)),
        pooling.max_pool2d_backward(dy, indices, shape, pool, strides, padding),
    )
    np.testing.assert_array_equal(
        pooling.avg_pool2d_backward(dy, shape, pool, strides, padding, out=garbage(x)),
        pooling.avg_pool2d_backward(dy, shape, pool, strides, padding),
    )
    global_dy = dy[:, 0, 0, :]
    gy, gi = pooling.global_max_pool2d_forward(x, return_indices=True)
    out, out_indices = garbage(gy), garbage(gi)
    pooling.global_max_pool2d_forward(x, return_indices=True, out=out, out_indices=out_indices)
    np.testing.assert_array_equal(out, gy)
    np.testing.assert_array_equal(out_indices, gi)
    np.testing.assert_array_equal(
        pooling.global_avg_pool2d_forward(x, out=garbage(gy)), pooling.global_avg_pool2d_forward(x)
    )
    np.testing.assert_array_equal(pooling.global_max_pool2d_backward(global_dy, gi, shape, out=garbage(x)),
                                  ref.global_max_pool2d_backward(global_dy, gi, shape))
    np.testing.assert_array_equal(pooling.global_avg_pool2d_backward(global_dy, shape, out=garbage(x)),
                                  pooling.global_avg_pool2d_backward(global_dy, shape))


def test_out_arguments_are_checked():
    x = np.zeros((2, 6, 6, 3), np.float32)
    with pytest.raises(ValueError, match="out.*shape \\(2, 3, 3, 3\\)"):
        pooling.max_pool2d_forward(x, 2, out=np.zeros((2, 3, 3, 2), np.float32))
    with pytest.raises(ValueError, match="out_indices.*int32"):
        pooling.max_pool2d_forward(x, 2, return_indices=True, out_indices=np.zeros((2, 3, 3, 3), np.int64))
    with pytest.raises(ValueError, match="float32"):
        pooling.avg_pool2d_backward(np.zeros((2, 3, 3, 3)), x.shape, 2, out=np.zeros(x.shape))
    with pytest.raises(ValueError, match="C-contiguous"):
        strided = np.zeros((2, 6, 6, 6), np.float32)[..., ::2]
        pooling.global_avg_pool2d_backward(np.zeros((2, 3)), (2, 6, 6, 3), out=strided)
    with pytest.raises(TypeError, match="out"):
        pooling.global_avg_pool2d_forward(x, out=[[0.0] * 3] * 2)
    with pytest.raises(ValueError, match="share memory"):
        pooling.max_pool2d_forward(x, 1, out=x)


def test_other_dtypes_views_and_empty_arrays(rng):
    base = rng.standard_normal((2, 10, 12, 6))
    view = base[:, ::2, ::-1, 1:5]  # float64, non-contiguous
    expected = pooling.max_pool2d_forward(np.ascontiguousarray(view, np.float32), 2)
    np.testing.assert_array_equal(pooling.max_pool2d_forward(view, 2), expected)
    np.testing.assert_array_equal(pooling.max_pool2d_forward(view.tolist(), 2), expected)
    assert pooling.avg_pool2d_forward(np.arange(16).reshape(1, 4, 4, 1), 2).ravel().tolist() == [2.5, 4.5, 10.5, 12.5]

    empty_batch = np.zeros((0, 5, 5, 3), np.float32)
    y, indices = pooling.max_pool2d_forward(empty_batch, 2, return_indices=True)
    assert y.shape == indices.shape == (0, 2, 2, 3)
    assert pooling.avg_pool2d_backward(np.zeros((0, 2, 2, 3)), (0, 5, 5, 3), 2).shape == (0, 5, 5, 3)
    assert pooling.global_avg_pool2d_forward(np.zeros((4, 3, 3, 0))).shape == (4, 0)
    no_channels = pooling.max_pool2d_backward(np.zeros((1, 2, 2, 0)), np.zeros((1, 2, 2, 0), np.int64), (1, 5, 5, 0), 2)
    assert no_channels.shape == (1, 5, 5, 0)
    # int64 indices (as from PyTorch) are accepted.
    x = rng.standard_normal((1, 4, 4, 2), dtype=np.float32)
    y, indices = pooling.max_pool2d_forward(x, 2, return_indices=True)
    np.testing.assert_array_equal(
        pooling.max_pool2d_backward(y, indices.astype(np.int64), x.shape, 2),
        pooling.max_pool2d_backward(y, indices, x.shape, 2),
    )


# A valid input, its 2x2 pooled output and indices, for the bad-argument tests.
X = np.zeros((2, 6, 6, 3), np.float32)
Y = np.zeros((2, 3, 3, 3), np.float32)
I = np.zeros((2, 3, 3, 3), np.int32)  # noqa: E741


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: pooling.max_pool2d_forward(X, 0), ValueError, "positive"),
        (lambda: pooling.max_pool2d_forward(X, (2, -1)), ValueError, "positive"),
        (lambda: pooling.max_pool2d_forward(X, (2, 2, 2)), ValueError, "tuple of 2"),
        (lambda: pooling.max_pool2d_forward(X, 2.0), TypeError, "pool_size"),
        (lambda: pooling.max_pool2d_forward(X, True), TypeError, "pool_size"),
        (lambda: pooling.max_pool2d_forward(X, "2"), TypeError, "pool_size"),
        (lambda: pooling.avg_pool2d_forward(X, 2, strides=0), ValueError, "strides"),
        (lambda: pooling.avg_pool2d_forward(X, 2, strides=(1, 1.5)), TypeError, "strides"),
        (lambda: pooling.avg_pool2d_forward(X, 2, padding="full"), ValueError, "'valid' or 'same'"),
        (lambda: pooling.avg_pool2d_forward(X, 2, padding=None), TypeError, "padding"),
        (lambda: pooling.max_pool2d_forward(X, (7, 2)), ValueError, "pool's height \\(7\\).*input's height \\(6\\)"),
        (lambda: pooling.avg_pool2d_forward(X, (2, 9)), ValueError, "pool's width \\(9\\).*input's width \\(6\\)"),
        (lambda: pooling.max_pool2d_forward(X[0], 2), ValueError, "4 dimensions"),
        (lambda: pooling.global_avg_pool2d_forward(X[0]), ValueError, "4 dimensions"),
        (lambda: pooling.max_pool2d_forward(np.zeros((1, 0, 4, 1)), 2, padding="same"), ValueError, "height"),
        (lambda: pooling.global_max_pool2d_forward(np.zeros((1, 3, 0, 1))), ValueError, "width"),
        (lambda: pooling.max_pool2d_forward(X.astype(complex), 2), TypeError, "real numbers"),
        (lambda: pooling.avg_pool2d_backward(np.zeros((2, 3, 3, 2)), X.shape, 2), ValueError, "dy.*\\(2, 3, 3, 3\\)"),
        (lambda: pooling.avg_pool2d_backward(np.zeros((2, 3, 3, 3)), (2, 6, 6), 2), ValueError, "4-tuple"),
        (lambda: pooling.avg_pool2d_backward(np.zeros((2, 3, 3, 3)), (2, 6.0, 6, 3), 2), TypeError, "integers"),
        (lambda: pooling.avg_pool2d_backward(np.zeros((2, 3, 3, 3)), (-2, 6, 6, 3), 2), ValueError, "batch"),
        (lambda: pooling.max_pool2d_backward(np.zeros((2, 3, 3, 3)), np.zeros((2, 3, 3, 3)), X.shape, 2), TypeError,
         "indices"),
        (lambda: pooling.max_pool2d_backward(Y, np.zeros((2, 3, 3), np.int32), X.shape, 2), ValueError, "indices"),
        (lambda: pooling.max_pool2d_backward(Y, np.full((2, 3, 3, 3), 2**40), X.shape, 2), ValueError,
         "h \\* width \\+ w"),
        (lambda: pooling.global_max_pool2d_backward(np.zeros((2, 3)), np.zeros((2, 4), np.int32), X.shape), ValueError,
         "indices"),
        (lambda: pooling.global_avg_pool2d_backward(np.zeros((3, 3)), X.shape), ValueError, "dy"),
        (lambda: pooling.pool2d_output_shape((1, 5, 5, 1), 2, padding="Full"), ValueError, "padding"),
    ],
)
def test_bad_arguments_raise_clear_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_padding_names_are_case_insensitive():
    x = np.arange(50, dtype=np.float32).reshape(1, 5, 5, 2)
    for name in ("same", "SAME", "Same"):
        np.testing.assert_array_equal(
            pooling.max_pool2d_forward(x, 2, padding=name), pooling.max_pool2d_forward(x, 2, padding="same")
        )


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: _core.max_pool2d_forward(X, (2, 2), (2, 2), "valid", np.zeros((2, 3, 3, 2), np.float32), None), "y"),
        (lambda: _core.max_pool2d_forward(X, (2, 2), (2, 2), "valid", Y, np.zeros((2, 3, 3, 3), np.float32)), "int32"),
        (lambda: _core.max_pool2d_forward(X, (2, 2), (2, 2), "valid", Y, np.zeros((2, 3, 3, 2), np.int32)), "indices"),
        (lambda: _core.max_pool2d_forward(X, (2, 2), (2, 2), "valid", np.zeros((2, 3, 3, 3)), None), "float32"),
        (lambda: _core.max_pool2d_forward(X, (2, 2), (2, 2), "valid", np.zeros((2, 3, 3, 6), np.float32)[..., 1::2],
                                          None), "C-contiguous"),
        (lambda: _core.max_pool2d_forward(X, (2, 2), (2, 2), "SAME", Y, None), "padding"),
        (lambda: _core.max_pool2d_forward(X, (0, 2), (2, 2), "valid", Y, None), "pool_h"),
        (lambda: _core.max_pool2d_forward(X, (2, 2), (2, -2), "valid", Y, None), "stride_w"),
        (lambda: _core.max_pool2d_forward(X, (7, 2), (2, 2), "valid", Y, None), "height"),
        (lambda: _core.max_pool2d_forward(X[0], (2, 2), (2, 2), "valid", Y, None), "4 dimensions"),
        (lambda: _core.max_pool2d_backward(Y, I, np.zeros((2, 6, 6, 2), np.float32), (2, 2), (2, 2), "valid"), "dy"),
        (lambda: _core.max_pool2d_backward(Y, I[:1], np.zeros((2, 6, 6, 3), np.float32), (2, 2), (2, 2), "valid"),
         "indices"),
        (lambda: _core.max_pool2d_backward(Y, I, np.zeros((2, 7, 7, 3), np.float32), (2, 2), (2, 2), "same"), "dy"),
        (lambda: _core.avg_pool2d_forward(X, (2, 2), (1, 1), "valid", Y, ), "y"),
        (lambda: _core.avg_pool2d_backward(Y, np.zeros((2, 6, 6, 3), np.float32), (2, 2), (3, 3), "valid"), "dy"),
        (lambda: _core.avg_pool2d_backward(Y, np.zeros((2, 6, 6, 3), np.float32).T, (2, 2), (2, 2), "valid"),
         "C-contiguous"),
        (lambda: _core.global_avg_pool2d_forward(X, np.zeros((2, 4), np.float32)), "y"),
        (lambda: _core.global_avg_pool2d_forward(np.zeros((2, 0, 3, 3)), np.zeros((2, 3), np.float32)), "height"),
        (lambda: _core.global_avg_pool2d_backward(np.zeros((2, 3), np.float32), np.zeros((2, 3), np.float32)),
         "4 dimensions"),
        (lambda: _core.global_max_pool2d_forward(X, np.zeros((2, 3), np.float32), np.zeros((2, 3), np.int64)), "int32"),
        (lambda: _core.global_max_pool2d_backward(np.zeros((2, 3)), np.zeros((3, 3)), np.zeros(X.shape, np.float32)),
         "indices"),
        (lambda: _core.global_max_pool2d_backward(np.zeros((2, 4)), np.zeros((2, 3)), np.zeros(X.shape, np.float32)),
         "dy"),
        # int32 arg-max positions: an image may hold at most 2^31 - 1 of them (no memory needed: no channels)
        (lambda: _core.max_pool2d_forward(np.zeros((1, 2**16, 2**16, 0), np.float32), (2, 2), (2, 2), "valid",
                                          np.zeros((1, 2**15, 2**15, 0), np.float32), None), "2\\^31"),
    ],
)
def test_direct_core_calls_with_bad_arguments_raise(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_direct_core_calls_reject_aliased_outputs():
    x = np.zeros((2, 6, 6, 3), np.float32)
    with pytest.raises(ValueError, match="share memory"):
        _core.max_pool2d_forward(x, (1, 1), (1, 1), "valid", x, None)
    dx = np.zeros((2, 6, 6, 3), np.float32)
    with pytest.raises(ValueError, match="share memory"):
        _core.avg_pool2d_backward(dx.reshape(-1)[:54].reshape(2, 3, 3, 3), dx, (2, 2), (2, 2), "valid")
    with pytest.raises(ValueError, match="share memory"):
        _core.global_avg_pool2d_backward(dx.reshape(-1)[:6].reshape(2, 3), dx)


def test_indices_outside_their_window_route_nothing():
    dy = np.ones((2, 3, 3, 3), np.float32)
    for value in (-1, 1, 36, 2**31 - 1, -(2**31)):
        dx = np.full((2, 6, 6, 3), 5.0, np.float32)
        _core.max_pool2d_backward(dy, np.full(dy.shape, value, np.int32), dx, (2, 2), (2, 2), "valid")
        # Position 1 is (0, 1): inside window (0, 0) only, once per image and channel.
        assert dx.sum() == (2 * 3 if value == 1 else 0)
    dx = np.full((2, 6, 6, 3), 5.0, np.float32)
    _core.global_max_pool2d_backward(np.ones((2, 3), np.float32), np.full((2, 3), 99, np.int32), dx)
    assert not dx.any()


@pytest.mark.parametrize("call, name", [
    (lambda x: pooling.max_pool2d_forward(x, 2**63, padding="same"), "pool_size"),
    (lambda x: pooling.avg_pool2d_forward(x, 2, strides=(1, 10**30)), "strides"),
    (lambda x: pooling.avg_pool2d_backward(np.ones((1, 1, 1, 1)), (1, 2**40, 2, 1), 2), "input_shape"),
])
def test_sizes_no_array_can_have_are_refused_by_name(call, name):
    # They used to reach the native module as integers it cannot convert: pybind11's unclear TypeError.
    with pytest.raises(ValueError, match=rf"Expected `{name}` to be at most 2\*\*31 - 1"):
        call(np.ones((1, 4, 4, 2), np.float32))


def test_gradient_larger_than_memory_is_refused():
    # A (1000, 1, 1, 1) gradient of a 50000 x 50000 valid pooling declares a 10 TB input gradient.
    with pytest.raises(ValueError, match=r"Expected the result `out` to fit in memory"):
        pooling.avg_pool2d_backward(np.ones((1000, 1, 1, 1)), (1000, 50000, 50000, 1), 50000)
