"""kernas.ops.conv: Conv2D forward and gradients against the float64 reference and PyTorch."""

import concurrent.futures
import os
import subprocess
import sys

import numpy as np
import pytest

from kernas import _core, config, ops
from kernas.ops import activation_spec, activations, conv

from reference import conv as ref

UNIT = 2.0**-24

# (batch, height, width, channels, kernel_h, kernel_w, filters, strides, padding, dilation_rate)
CASES = [
    (1, 7, 9, 1, 3, 3, 3, (1, 1), "valid", (1, 1)),
    (7, 9, 8, 3, 2, 2, 5, (1, 1), "same", (1, 1)),  # even kernel: 'same' pads after only
    (2, 11, 7, 5, 4, 3, 17, (2, 2), "same", (1, 1)),
    (3, 13, 10, 17, 3, 5, 4, (3, 3), "valid", (1, 1)),
    (2, 9, 11, 3, 3, 3, 5, (1, 1), "same", (2, 2)),
    (1, 10, 9, 5, 3, 2, 3, (1, 1), "valid", (2, 3)),
    (1, 5, 5, 5, 5, 5, 3, (1, 1), "valid", (1, 1)),  # the kernel covers the input: one output pixel
    (7, 6, 5, 17, 1, 1, 5, (1, 1), "valid", (1, 1)),  # 1x1: the input is the column matrix
    (2, 7, 7, 3, 1, 1, 4, (2, 2), "same", (1, 1)),  # strided 1x1 takes the im2col path
    (3, 8, 8, 1, 2, 2, 3, (3, 3), "valid", (1, 1)),  # stride above the kernel: inputs no tap reads
    (2, 6, 9, 3, 4, 2, 5, (2, 3), "same", (1, 1)),
    (1, 4, 5, 2, 3, 3, 2, (1, 1), "same", (3, 2)),  # the dilated kernel spans more than the input
]
IDS = [
    "x".join(map(str, c[:4])) + f"-k{c[4]}x{c[5]}x{c[6]}-s{c[7][0]}{c[7][1]}-{c[8]}-d{c[9][0]}{c[9][1]}" for c in CASES
]


def problem(rng, case):
    batch, height, width, channels, kernel_h, kernel_w, filters, strides, padding, dilation = case
    x = rng.standard_normal((batch, height, width, channels)).astype(np.float32)
    kernel = rng.standard_normal((kernel_h, kernel_w, channels, filters)).astype(np.float32)
    bias = rng.standard_normal(filters).astype(np.float32)
    return x, kernel, bias, dict(strides=strides, padding=padding, dilation_rate=dilation)


def forward_bound(x, kernel, bias, options):
    """Float32 rounding bound for conv + bias: 2 (k + 3) u sum |x||w| + |b| over the k taps."""
    depth = kernel.shape[0] * kernel.shape[1] * kernel.shape[2] + 1
    magnitude = ref.conv2d(np.abs(x), np.abs(kernel), None if bias is None else np.abs(bias), **options)
    return 2.0 * (depth + 3) * UNIT * magnitude + np.finfo(np.float32).tiny


def assert_within(got, want, bound, what):
    assert got.dtype == np.float32 and got.shape == want.shape, what
    assert np.all(np.isfinite(got)), what
    error = np.abs(got.astype(np.float64) - want)
    worst = np.unravel_index(np.argmax(error - bound), error.shape)
    assert np.all(error <= bound), f"{what}: at {worst} error {error[worst]:.3g} > bound {bound[worst]:.3g}"


@pytest.mark.parametrize("case", CASES, ids=IDS)
@pytest.mark.parametrize("use_bias", [True, False])
def test_forward_matches_reference(kernel_set, rng, case, use_bias):
    x, kernel, bias, options = problem(rng, case)
    bias = bias if use_bias else None
    y = conv.conv2d_forward(x, kernel, bias, **options)
    assert y.shape == conv.conv2d_output_shape(x.shape, kernel.shape, **options)
    assert_within(y, ref.conv2d(x, kernel, bias, **options), forward_bound(x, kernel, bias, options), "y")


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_backward_matches_reference(kernel_set, rng, case):
    x, kernel, _, options = problem(rng, case)
    dz = rng.standard_normal(conv.conv2d_output_shape(x.shape, kernel.shape, **options)).astype(np.float32)
    dx, dkernel, dbias = conv.conv2d_backward(x, kernel, dz, **options)
    want = ref.conv2d_backward(x, kernel, dz, **options)
    magnitude = ref.conv2d_backward(np.abs(x), np.abs(kernel), np.abs(dz), **options)
    taps = kernel.shape[0] * kernel.shape[1] * kernel.shape[3]
    terms = (taps, dz.shape[0] * dz.shape[1] * dz.shape[2], dz.shape[0] * dz.shape[1] * dz.shape[2])
    for name, got, expected, size, count in zip(("dx", "dkernel", "dbias"), (dx, dkernel, dbias), want, magnitude,
                                                terms):
        assert_within(got, expected, 2.0 * (count + 3) * UNIT * size + np.finfo(np.float32).tiny, name)


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "softmax"])
@pytest.mark.parametrize("case", [CASES[1], CASES[2], CASES[7]], ids=[IDS[1], IDS[2], IDS[7]])
def test_fused_activation_equals_a_separate_pass(kernel_set, rng, case, activation):
    """The activation runs over each tile as it is finished; the bits must equal one pass over the whole output."""
    x, kernel, bias, options = problem(rng, case)
    linear = conv.conv2d_forward(x, kernel, bias, **options)
    fused = conv.conv2d_forward(x, kernel, bias, activation=activation, **options)
    np.testing.assert_array_equal(fused, activations.activation_forward(linear, activation))
    if activation == "softmax":  # over the channels of each pixel
        np.testing.assert_allclose(fused.sum(axis=-1), 1.0, rtol=1e-5)


def test_fused_activation_matches_reference(kernel_set, rng):
    x, kernel, bias, options = problem(rng, CASES[4])
    z = ref.conv2d(x, kernel, bias, **options)
    bound = forward_bound(x, kernel, bias, options)
    relu = conv.conv2d_forward(x, kernel, bias, activation="relu", **options)
    assert_within(relu, ref.activation(z, "relu"), bound, "relu")
    sigmoid = conv.conv2d_forward(x, kernel, bias, activation="sigmoid", **options)
    assert_within(sigmoid, ref.activation(z, "sigmoid"), bound / 4 + 4 * UNIT, "sigmoid")


def loss_and_gradients(rng, case, activation):
    """L = sum(g * activation(conv(x, W) + b)) and its gradients, dz from the activation's derivative."""
    x, kernel, bias, options = problem(rng, case)
    upstream = rng.standard_normal(conv.conv2d_output_shape(x.shape, kernel.shape, **options))

    def loss(x_, kernel_, bias_):
        return float(np.sum(upstream * conv.conv2d_forward(x_, kernel_, bias_, activation=activation, **options)))

    y = conv.conv2d_forward(x, kernel, bias, activation=activation, **options).astype(np.float64)
    dz = (upstream * (y * (1.0 - y) if activation == "sigmoid" else 1.0)).astype(np.float32)
    return (x, kernel, bias), loss, conv.conv2d_backward(x, kernel, dz, **options)


@pytest.mark.parametrize("case", [CASES[2], CASES[4], CASES[9], CASES[11]], ids=[IDS[2], IDS[4], IDS[9], IDS[11]])
@pytest.mark.parametrize("activation", ["linear", "sigmoid"])
def test_gradients_match_finite_differences(kernel_set, rng, case, activation):
    """Directional derivatives of the float32 forward, by central differences, against <gradient, direction>."""
    arguments, loss, gradients = loss_and_gradients(rng, case, activation)
    h = 1e-2
    for index, gradient in enumerate(gradients):
        direction = rng.standard_normal(arguments[index].shape).astype(np.float32)
        moved = [list(arguments), list(arguments)]
        moved[0][index] = arguments[index] + np.float32(h) * direction
        moved[1][index] = arguments[index] - np.float32(h) * direction
        numeric = (loss(*moved[0]) - loss(*moved[1])) / (2 * h)
        analytic = float(np.sum(gradient.astype(np.float64) * direction))
        scale = float(np.sqrt(np.sum(gradient.astype(np.float64) ** 2) * np.sum(direction.astype(np.float64) ** 2)))
        assert abs(numeric - analytic) <= 2e-3 * scale, (index, numeric, analytic, scale)


@pytest.mark.parametrize("channels, filters", [(17, 5), (300, 33), (700, 5), (300, 250)])
def test_1x1_products_equal_matmul_bitwise(kernel_set, rng, channels, filters):
    """A 1x1 convolution is a matrix product: every route through the kernels (weights packed once for all tiles,
    over one or several depth blocks, or a GEMM call per tile for large weights) gives sgemm's bits."""
    x = rng.standard_normal((3, 7, 5, channels)).astype(np.float32)
    kernel = rng.standard_normal((1, 1, channels, filters)).astype(np.float32)
    bias = rng.standard_normal(filters).astype(np.float32)
    rows, matrix = x.reshape(-1, channels), kernel.reshape(channels, filters)
    y = conv.conv2d_forward(x, kernel, bias)
    np.testing.assert_array_equal(y.reshape(-1, filters), ops.matmul(rows, matrix) + bias)
    # Strides of 2 over a 1x1 kernel go through im2col and the same products.
    strided = conv.conv2d_forward(x, kernel, bias, strides=2)
    np.testing.assert_array_equal(strided, y[:, ::2, ::2])
    dz = rng.standard_normal(y.shape).astype(np.float32)
    dz_rows = dz.reshape(-1, filters)
    dx, dkernel, _ = conv.conv2d_backward(x, kernel, dz)
    np.testing.assert_array_equal(dx.reshape(-1, channels), ops.matmul(dz_rows, matrix, transpose_b=True))
    np.testing.assert_array_equal(dkernel.reshape(channels, filters), ops.matmul(rows, dz_rows, transpose_a=True))
    dz_strided = dz[:, ::2, ::2].copy()
    dx_strided = conv.conv2d_backward(x, kernel, dz_strided, strides=2)[0]
    expected = ops.matmul(dz_strided.reshape(-1, filters), matrix, transpose_b=True)
    np.testing.assert_array_equal(dx_strided[:, ::2, ::2], expected.reshape(dz_strided.shape[:3] + (channels,)))
    np.testing.assert_array_equal(dx_strided[:, 1::2], 0.0)
    np.testing.assert_array_equal(dx_strided[:, :, 1::2], 0.0)


def test_backward_skips_gradients_not_asked_for(kernel_set, rng):
    x, kernel, _, options = problem(rng, CASES[1])
    dz = np.ones(conv.conv2d_output_shape(x.shape, kernel.shape, **options), np.float32)
    dx, dkernel, dbias = conv.conv2d_backward(x, kernel, dz, need_dx=False, need_bias=False, **options)
    assert dx is None and dbias is None
    np.testing.assert_array_equal(dkernel, conv.conv2d_backward(x, kernel, dz, **options)[1])


def test_padding_same_is_asymmetric_like_tensorflow(kernel_set):
    """Input 4, kernel 3, stride 2: out 2, one pad row after and none before (a symmetric rule would shift)."""
    x = np.arange(16, dtype=np.float32).reshape(1, 4, 4, 1)
    first_tap = np.zeros((3, 3, 1, 1), np.float32)
    first_tap[0, 0] = 1.0
    y = conv.conv2d_forward(x, first_tap, strides=2, padding="SAME")
    np.testing.assert_array_equal(y[0, :, :, 0], x[0, ::2, ::2, 0])
    # Even kernel, stride 1: the single pad goes after, so tap (0, 0) reads x itself.
    y = conv.conv2d_forward(x, np.ones((2, 2, 1, 1), np.float32), padding="same")
    np.testing.assert_array_equal(y[0, -1, -1, 0], x[0, 3, 3, 0])
    np.testing.assert_array_equal(y[0, 0, 0, 0], x[0, :2, :2, 0].sum())


def test_output_shape_follows_keras():
    assert conv.conv2d_output_shape((128, 28, 28, 1), (3, 3, 1, 32)) == (128, 26, 26, 32)
    assert conv.conv2d_output_shape((2, 5, 6, 3), (3, 3, 3, 4), strides=2, padding="same") == (2, 3, 3, 4)
    assert conv.conv2d_output_shape((2, 9, 9, 3), (3, 3, 3, 4), dilation_rate=2) == (2, 5, 5, 4)
    assert conv.conv2d_output_shape((2, 10, 11, 3), (3, 4, 3, 4), strides=(3, 2)) == (2, 3, 4, 4)


def test_empty_batch(kernel_set, rng):
    kernel = rng.standard_normal((3, 3, 2, 4)).astype(np.float32)
    x = np.zeros((0, 5, 5, 2), np.float32)
    assert conv.conv2d_forward(x, kernel, np.ones(4)).shape == (0, 3, 3, 4)
    dx, dkernel, dbias = conv.conv2d_backward(x, kernel, np.zeros((0, 3, 3, 4), np.float32))
    assert dx.shape == x.shape
    np.testing.assert_array_equal(dkernel, 0.0)
    np.testing.assert_array_equal(dbias, 0.0)


def test_converts_inputs_and_writes_out(rng):
    x, kernel, bias, options = problem(rng, CASES[2])
    expected = conv.conv2d_forward(x, kernel, bias, **options)
    out = np.empty_like(expected)
    returned = conv.conv2d_forward(x.astype(np.float64), np.asfortranarray(kernel), list(bias), out=out, **options)
    assert returned is out
    np.testing.assert_array_equal(out, expected)


# The activation's gradient inside conv2d_backward: dz = dy * f'(y) tile by tile must give the bits of a separate
# activation_backward pass followed by a linear call, on the im2col path (several tiles and groups) and the 1x1 path.
FUSED_CASES = [CASES[2], CASES[4], CASES[7], (9, 12, 12, 3, 3, 3, 33, (1, 1), "valid", (1, 1))]
FUSED_IDS = [IDS[2], IDS[4], IDS[7], "9x12x12x3-k3x3x33-groups"]


@pytest.mark.parametrize("activation", ["relu", "leaky_relu", "sigmoid", "tanh", "softmax"])
@pytest.mark.parametrize("case", FUSED_CASES, ids=FUSED_IDS)
def test_fused_activation_gradient_equals_a_separate_pass(kernel_set, rng, case, activation):
    x, kernel, bias, options = problem(rng, case)
    y = conv.conv2d_forward(x, kernel, bias, activation=activation, **options)
    dy = rng.standard_normal(y.shape).astype(np.float32)
    dz = activations.activation_backward(activation, dy, x=y, y=y)
    separate = conv.conv2d_backward(x, kernel, dz, **options)
    fused = conv.conv2d_backward(x, kernel, dy, activation=activation, y=y, **options)
    for name, want, got in zip(("dx", "dkernel", "dbias"), separate, fused):
        np.testing.assert_array_equal(got, want, err_msg=name)
    # Each gradient alone gives the same bits as all three together.
    alone = conv.conv2d_backward(x, kernel, dy, need_dx=False, need_bias=False, activation=activation, y=y, **options)
    np.testing.assert_array_equal(alone[1], fused[1])


def test_fused_relu_gradient_matches_reference_and_finite_differences(kernel_set, rng):
    x, kernel, bias, options = problem(rng, FUSED_CASES[3])
    y = conv.conv2d_forward(x, kernel, bias, activation="relu", **options)
    upstream = rng.standard_normal(y.shape).astype(np.float32)
    dx, dkernel, dbias = conv.conv2d_backward(x, kernel, upstream, activation="relu", y=y, **options)
    dz = upstream.astype(np.float64) * (ref.conv2d(x, kernel, bias, **options) > 0)
    want = ref.conv2d_backward(x, kernel, dz, **options)
    magnitude = ref.conv2d_backward(np.abs(x), np.abs(kernel), np.abs(dz), **options)
    pixels = y.shape[0] * y.shape[1] * y.shape[2]
    for name, got, expected, size, count in zip(("dx", "dkernel", "dbias"), (dx, dkernel, dbias), want, magnitude,
                                                (kernel.shape[0] * kernel.shape[1] * kernel.shape[3], pixels, pixels)):
        assert_within(got, expected, 2.0 * (count + 3) * UNIT * size + np.finfo(np.float32).tiny, name)

    def loss(x_, kernel_, bias_):
        return float(np.sum(upstream * conv.conv2d_forward(x_, kernel_, bias_, activation="relu", **options)))

    arguments, h = (x, kernel, bias), 1e-3
    for index, gradient in enumerate((dx, dkernel, dbias)):
        direction = rng.standard_normal(arguments[index].shape).astype(np.float32)
        moved = [list(arguments), list(arguments)]
        moved[0][index] = arguments[index] + np.float32(h) * direction
        moved[1][index] = arguments[index] - np.float32(h) * direction
        numeric = (loss(*moved[0]) - loss(*moved[1])) / (2 * h)
        analytic = float(np.sum(gradient.astype(np.float64) * direction))
        scale = float(np.sqrt(np.sum(gradient.astype(np.float64) ** 2) * np.sum(direction.astype(np.float64) ** 2)))
        assert abs(numeric - analytic) <= 2e-3 * scale, (index, numeric, analytic, scale)


def test_fused_gradient_rejects_what_it_cannot_do(rng):
    x, kernel, bias, options = problem(rng, CASES[1])
    y = conv.conv2d_forward(x, kernel, bias, **options)
    with pytest.raises(ValueError, match="gradient needs its input"):
        conv.conv2d_backward(x, kernel, y, activation="gelu", y=y, **options)
    with pytest.raises(ValueError, match="y=None"):
        conv.conv2d_backward(x, kernel, y, activation="relu", **options)
    with pytest.raises(ValueError, match="`y` to have the output's shape"):
        conv.conv2d_backward(x, kernel, y, activation="relu", y=y[:1], **options)
    with pytest.raises(ValueError, match="computed from its output"):
        core_backward(activation=activation_spec("relu", max_value=6.0), y=np.zeros((2, 4, 4, 4), np.float32))
    with pytest.raises(ValueError, match="y=None"):
        core_backward(activation=activation_spec("relu"))
    with pytest.raises(ValueError, match="`dx` not to share memory with `y`"):
        shared = np.zeros(X.shape, np.float32)
        core_backward(x=np.ones(X.shape, np.float32), kernel=np.zeros((1, 1, 3, 3), np.float32),
                      dz=np.zeros(X.shape, np.float32), dkernel=np.zeros((1, 1, 3, 3), np.float32),
                      dbias=np.zeros(3, np.float32), dx=shared, activation=activation_spec("relu"), y=shared)


# Sizes where the forward (several tiles) and the backward (several image groups) both run on 2 threads; with
# batch 1, the backward's one group splits its GEMMs between the threads instead.
THREAD_CASES = [
    (7, 17, 17, 5, 3, 3, 17, (1, 1), "same", (1, 1)),
    (7, 19, 18, 3, 4, 4, 33, (2, 2), "valid", (1, 1)),
    (7, 20, 20, 33, 1, 1, 17, (1, 1), "valid", (1, 1)),
    (1, 40, 40, 32, 3, 3, 32, (1, 1), "same", (1, 1)),
]


@pytest.mark.parametrize("case", THREAD_CASES, ids=["3x3", "4x4-stride2", "1x1", "batch1"])
def test_one_and_two_threads_agree_bitwise(kernel_set, rng, restore_threads, case):
    x, kernel, bias, options = problem(rng, case)
    dz = rng.standard_normal(conv.conv2d_output_shape(x.shape, kernel.shape, **options)).astype(np.float32)
    results = []
    for threads in (1, 2):
        config.set_num_threads(threads)
        results.append(
            [conv.conv2d_forward(x, kernel, bias, activation=a, **options) for a in ("relu", "softmax")]
            + list(conv.conv2d_backward(x, kernel, dz, **options))
            + list(conv.conv2d_backward(x, kernel, dz, activation="relu", y=np.maximum(dz, 0), **options))
        )
    for one, two in zip(*results):
        np.testing.assert_array_equal(one, two)


def test_concurrent_calls_from_python_threads_agree(rng, restore_threads):
    """Each calling thread has its own scratch buffers: calls released from the GIL at once do not mix them."""
    config.set_num_threads(1)  # long calls, so that they overlap
    problems = [problem(rng, case) for case in [(16, 32, 32, 16, 3, 3, 32, (1, 1), "same", (1, 1)), *THREAD_CASES]]

    def run(index):
        x, kernel, bias, options = problems[index]
        y = conv.conv2d_forward(x, kernel, bias, activation="relu", **options)
        return [y, *conv.conv2d_backward(x, kernel, y, **options)]

    expected = [run(index) for index in range(len(problems))]
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        results = list(pool.map(run, [index % len(problems) for index in range(16)]))
    for index, result in enumerate(results):
        for got, want in zip(result, expected[index % len(problems)]):
            np.testing.assert_array_equal(got, want)


NESTED_SCRIPT = """
import sys
import numpy as np
from kernas import config
from kernas.ops import conv
x, kernel, bias, dz = (np.load(f"{sys.argv[1]}/{name}.npy") for name in ("x", "kernel", "bias", "dz"))
config.set_num_threads(2)
y = conv.conv2d_forward(x, kernel, bias, activation="relu", padding="same")
dx, dkernel, dbias = conv.conv2d_backward(x, kernel, dz, padding="same")
np.savez(f"{sys.argv[1]}/out.npz", y=y, dx=dx, dkernel=dkernel, dbias=dbias)
"""


def test_nested_parallelism_changes_no_bits(rng, restore_threads, tmp_path):
    """Tiles run on a team whose GEMMs get one thread each while OpenMP nesting is off (its default); with
    nesting on, each GEMM splits its tile again (the tiles here are big enough for that). Either way every element
    has one fixed sequence of operations."""
    x, kernel, bias, options = problem(rng, (4, 24, 24, 16, 3, 3, 32, (1, 1), "same", (1, 1)))
    dz = rng.standard_normal(conv.conv2d_output_shape(x.shape, kernel.shape, **options)).astype(np.float32)
    for name, array in dict(x=x, kernel=kernel, bias=bias, dz=dz).items():
        np.save(tmp_path / f"{name}.npy", array)
    env = dict(os.environ, OMP_MAX_ACTIVE_LEVELS="2", OMP_NUM_THREADS="2")
    subprocess.run([sys.executable, "-c", NESTED_SCRIPT, str(tmp_path)], env=env, check=True)
    nested = np.load(tmp_path / "out.npz")
    config.set_num_threads(1)
    np.testing.assert_array_equal(nested["y"], conv.conv2d_forward(x, kernel, bias, activation="relu", **options))
    for name, array in zip(("dx", "dkernel", "dbias"), conv.conv2d_backward(x, kernel, dz, **options)):
        np.testing.assert_array_equal(nested[name], array)


def torch_conv(torch, x, kernel, bias, strides, padding, dilation_rate):
    """torch's conv2d on NCHW copies, with 'same' as explicit (asymmetric) padding."""
    (_, top, bottom), (_, left, right) = ref.geometry(x.shape, kernel.shape, strides, padding, dilation_rate)
    tx = torch.nn.functional.pad(x.permute(0, 3, 1, 2), (left, right, top, bottom))
    y = torch.nn.functional.conv2d(tx, kernel.permute(3, 2, 0, 1), bias, stride=strides, dilation=dilation_rate)
    return y.permute(0, 2, 3, 1)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_forward_and_gradients_match_torch(kernel_set, rng, case):
    torch = pytest.importorskip("torch")
    x, kernel, bias, options = problem(rng, case)
    y = conv.conv2d_forward(x, kernel, bias, activation="relu", **options)
    upstream = rng.standard_normal(y.shape).astype(np.float32)
    dx, dkernel, dbias = conv.conv2d_backward(x, kernel, (upstream * (y > 0)).astype(np.float32), **options)

    tensors = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in (x, kernel, bias)]
    ty = torch.relu(torch_conv(torch, *tensors, **options))
    ty.backward(torch.from_numpy(upstream.astype(np.float64)))
    # Reference-sized bounds, with |upstream| standing in for |dz|.
    magnitude = ref.conv2d_backward(np.abs(x), np.abs(kernel), np.abs(upstream), **options)
    pixels = y.shape[0] * y.shape[1] * y.shape[2]
    assert_within(y, ty.detach().numpy(), forward_bound(x, kernel, bias, options), "y")
    for name, got, tensor, size, count in zip(("dx", "dkernel", "dbias"), (dx, dkernel, dbias), tensors, magnitude,
                                              (kernel.shape[0] * kernel.shape[1] * kernel.shape[3], pixels, pixels)):
        assert_within(got, tensor.grad.numpy(), 2.0 * (count + 3) * UNIT * size + np.finfo(np.float32).tiny, name)


def test_reference_matches_torch_in_float64(rng):
    torch = pytest.importorskip("torch")
    for case in CASES:
        x, kernel, bias, options = problem(rng, case)
        tensors = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in (x, kernel, bias)]
        ty = torch_conv(torch, *tensors, **options)
        dz = rng.standard_normal(tuple(ty.shape))
        ty.backward(torch.from_numpy(dz))
        np.testing.assert_allclose(ref.conv2d(x, kernel, bias, **options), ty.detach().numpy(), rtol=1e-12, atol=1e-12)
        for mine, tensor in zip(ref.conv2d_backward(x, kernel, dz, **options), tensors):
            np.testing.assert_allclose(mine, tensor.grad.numpy(), rtol=1e-12, atol=1e-12)


# Bad input: a clear ValueError / TypeError, never a crash.

X = np.zeros((2, 6, 6, 3), np.float32)
KERNEL = np.zeros((3, 3, 3, 4), np.float32)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(strides=0), ValueError, "strides"),
        (dict(strides=(1, -2)), ValueError, "strides"),
        (dict(strides=(1,)), TypeError, "strides"),
        (dict(strides=(1, 2, 3)), TypeError, "strides"),
        (dict(strides=1.5), TypeError, "strides"),
        (dict(strides="2"), TypeError, "strides"),
        (dict(strides=True), TypeError, "strides"),
        (dict(dilation_rate=0), ValueError, "dilation_rate"),
        (dict(dilation_rate=(2, None)), TypeError, "dilation_rate"),
        (dict(strides=2, dilation_rate=2), ValueError, "dilation_rate"),
        (dict(padding="full"), ValueError, "padding"),
        (dict(padding=None), TypeError, "padding"),
        (dict(bias=np.zeros(3)), ValueError, "bias"),
        (dict(bias=np.zeros((4, 1))), ValueError, "bias"),
        (dict(activation="nope"), ValueError, "nope"),
    ],
)
def test_bad_arguments_raise(kwargs, error, match):
    with pytest.raises(error, match=match):
        conv.conv2d_forward(X, KERNEL, **kwargs)


def test_bad_shapes_raise():
    with pytest.raises(ValueError, match="4 dimensions"):
        conv.conv2d_forward(X[0], KERNEL)
    with pytest.raises(ValueError, match="4 dimensions"):
        conv.conv2d_forward(X, KERNEL[0])
    with pytest.raises(ValueError, match=r"input channels \(kernel.shape\[2\]=2\)"):
        conv.conv2d_forward(X, np.zeros((3, 3, 2, 4), np.float32))
    with pytest.raises(ValueError, match="input height"):
        conv.conv2d_forward(np.zeros((1, 2, 9, 3), np.float32), KERNEL)
    with pytest.raises(ValueError, match="input width.*spans 5"):
        conv.conv2d_forward(np.zeros((1, 9, 4, 3), np.float32), KERNEL, dilation_rate=2)
    with pytest.raises(ValueError, match="at least 1"):
        conv.conv2d_forward(np.zeros((1, 0, 6, 3), np.float32), KERNEL, padding="same")
    with pytest.raises(ValueError, match="kernel"):
        conv.conv2d_forward(X, np.zeros((0, 3, 3, 4), np.float32))
    with pytest.raises(TypeError, match="real numbers"):
        conv.conv2d_forward(X.astype(np.complex64), KERNEL)
    with pytest.raises(ValueError, match="dz"):
        conv.conv2d_backward(X, KERNEL, np.zeros((2, 6, 6, 4), np.float32))
    with pytest.raises(ValueError, match="input_shape"):
        conv.conv2d_output_shape((6, 6, 3), (3, 3, 3, 4))


def core_forward(**changes):
    arguments = dict(x=X, kernel=KERNEL, bias=None, strides=(1, 1), padding="valid", dilation_rate=(1, 1),
                     activation=activation_spec("relu"), y=np.zeros((2, 4, 4, 4), np.float32))
    arguments.update(changes)
    _core.conv2d_forward(**arguments)


def core_backward(**changes):
    arguments = dict(x=X, kernel=KERNEL, dz=np.zeros((2, 4, 4, 4), np.float32), strides=(1, 1), padding="valid",
                     dilation_rate=(1, 1), dx=np.zeros(X.shape, np.float32), dkernel=np.zeros(KERNEL.shape, np.float32),
                     dbias=np.zeros(4, np.float32))
    arguments.update(changes)
    _core.conv2d_backward(**arguments)


@pytest.mark.parametrize(
    "call, changes, match",
    [
        (core_forward, dict(y=np.zeros((2, 4, 4, 3), np.float32)), "`y` to have shape"),
        (core_forward, dict(y=np.zeros((2, 4, 4, 4), np.float64)), "float32"),
        (core_forward, dict(y=np.zeros((2, 4, 4, 8), np.float32)[..., ::2]), "C-contiguous"),
        (core_forward, dict(bias=np.zeros(5, np.float32)), "`bias` to have shape"),
        (core_forward, dict(kernel=np.zeros((3, 3, 2, 4), np.float32)), "input channels"),
        (core_forward, dict(x=X[0]), "4 dimensions"),
        (core_forward, dict(strides=(0, 1)), "strides"),
        (core_forward, dict(dilation_rate=(1, -1)), "dilation"),
        (core_forward, dict(dilation_rate=(2**62, 1)), "span"),
        (core_forward, dict(padding="SAME"), "padding"),
        (core_forward, dict(x=np.zeros((2, 2, 6, 3), np.float32)), "at least as large"),
        (core_backward, dict(dz=np.zeros((2, 4, 4, 3), np.float32)), "`dz` to have shape"),
        (core_backward, dict(dx=np.zeros((2, 6, 6, 4), np.float32)), "`dx` to have shape"),
        (core_backward, dict(dkernel=np.zeros((3, 3, 4, 3), np.float32)), "`dkernel` to have shape"),
        (core_backward, dict(dbias=np.zeros(3, np.float32)), "`dbias` to have shape"),
        (core_backward, dict(padding="full"), "padding"),
    ],
)
def test_direct_core_calls_check_everything(call, changes, match):
    with pytest.raises(ValueError, match=match):
        call(**changes)


def test_direct_core_calls_reject_outputs_that_overlap():
    x = np.zeros(X.shape, np.float32)
    with pytest.raises(ValueError, match="`y` not to share memory with `x`"):
        core_forward(x=x, kernel=np.zeros((1, 1, 3, 3), np.float32), y=x)
    with pytest.raises(ValueError, match="`dx` not to share memory with `x`"):
        core_backward(x=x, dx=x)
    with pytest.raises(ValueError, match="`dx` not to share memory with `dbias`"):
        core_backward(dx=x, dbias=x.reshape(-1)[:4])


@pytest.mark.parametrize("options, name", [({"strides": 2**63}, "strides"), ({"dilation_rate": (1, 10**30)},
                                                                            "dilation_rate")])
def test_sizes_no_array_can_have_are_refused_by_name(options, name):
    # They used to reach the native module as integers it cannot convert: pybind11's unclear TypeError.
    x, kernel = np.ones((1, 4, 4, 2), np.float32), np.ones((1, 1, 2, 1), np.float32)
    with pytest.raises(ValueError, match=rf"Expected `{name}` to be at most 2\*\*31 - 1"):
        conv.conv2d_forward(x, kernel, **options)
