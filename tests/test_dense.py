"""kernas.ops.dense: the fused Dense forward and its gradients."""

import numpy as np
import pytest

from kernas import _core, config, ops
from kernas.ops import activations, dense

from reference import linalg as reference

SHAPES = [(1, 1, 1), (7, 5, 3), (1, 17, 10), (7, 127, 17), (32, 784, 128), (128, 1600, 10)]


def random_problem(rng, batch, inputs, units):
    x = rng.standard_normal((batch, inputs)).astype(np.float32)
    kernel = rng.standard_normal((inputs, units)).astype(np.float32)
    bias = rng.standard_normal(units).astype(np.float32)
    return x, kernel, bias


@pytest.mark.parametrize("batch, inputs, units", SHAPES)
def test_linear_forward_matches_reference(kernel_set, rng, batch, inputs, units):
    x, kernel, bias = random_problem(rng, batch, inputs, units)
    y = dense.dense_forward(x, kernel, bias)
    bound = reference.gemm_error_bound(x, kernel) + 2.0**-23 * np.abs(reference.dense_linear(x, kernel, bias))
    assert np.all(np.abs(y - reference.dense_linear(x, kernel, bias)) <= bound)


@pytest.mark.parametrize("batch, inputs, units", SHAPES)
def test_bias_in_the_epilogue_is_a_float32_add_after_the_product(kernel_set, rng, batch, inputs, units):
    x, kernel, bias = random_problem(rng, batch, inputs, units)
    np.testing.assert_array_equal(dense.dense_forward(x, kernel, bias), ops.matmul(x, kernel) + bias)
    np.testing.assert_array_equal(dense.dense_forward(x, kernel, None), ops.matmul(x, kernel))


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh", "gelu", "silu", "elu", "softmax", "log_softmax"])
@pytest.mark.parametrize("batch, inputs, units", [(7, 17, 5), (33, 100, 40), (128, 300, 10)])
def test_fused_activation_equals_a_separate_pass(kernel_set, rng, activation, batch, inputs, units):
    """The epilogue applies the activation tile by tile; the bits must equal one pass over the whole output."""
    x, kernel, bias = random_problem(rng, batch, inputs, units)
    linear = dense.dense_forward(x, kernel, bias)
    fused = dense.dense_forward(x, kernel, bias, activation)
    np.testing.assert_array_equal(fused, activations.activation_forward(linear, activation))


@pytest.mark.parametrize("batch, inputs, units", SHAPES)
def test_backward_matches_reference(kernel_set, rng, batch, inputs, units):
    x, kernel, _ = random_problem(rng, batch, inputs, units)
    dz = rng.standard_normal((batch, units)).astype(np.float32)
    dx, dkernel, dbias = dense.dense_backward(x, kernel, dz)
    expected = reference.dense_backward(x, kernel, dz)
    bounds = (
        reference.gemm_error_bound(dz, kernel, transpose_b=True),
        reference.gemm_error_bound(x, dz, transpose_a=True),
        reference.gemm_error_bound(np.ones((1, batch)), dz).ravel(),
    )
    for got, want, bound in zip((dx, dkernel, dbias), expected, bounds):
        assert got.dtype == np.float32
        assert np.all(np.abs(got - want) <= bound)


def test_backward_skips_gradients_not_asked_for(rng):
    x, kernel, _ = random_problem(rng, 4, 3, 2)
    dx, dkernel, dbias = dense.dense_backward(x, kernel, np.ones((4, 2), np.float32), need_dx=False, need_bias=False)
    assert dx is None and dbias is None and dkernel.shape == (3, 2)


def test_gradients_match_finite_differences(kernel_set, rng):
    """Directional derivatives of L = sum(g * relu(x W + b)) against the analytic gradients."""
    x, kernel, bias = random_problem(rng, 7, 13, 5)
    upstream = rng.standard_normal((7, 5)).astype(np.float32)

    def loss(x_, kernel_, bias_):
        return float(np.sum(upstream.astype(np.float64) * dense.dense_forward(x_, kernel_, bias_, "relu")))

    y = dense.dense_forward(x, kernel, bias, "relu")
    dz = (upstream * (y > 0)).astype(np.float32)
    dx, dkernel, dbias = dense.dense_backward(x, kernel, dz)
    h = 1e-2
    for index, gradient in enumerate((dx, dkernel, dbias)):
        direction = rng.standard_normal(gradient.shape).astype(np.float32)
        args_plus = [x, kernel, bias]
        args_minus = [x, kernel, bias]
        args_plus[index] = args_plus[index] + h * direction
        args_minus[index] = args_minus[index] - h * direction
        numeric = (loss(*args_plus) - loss(*args_minus)) / (2 * h)
        analytic = float(np.sum(gradient.astype(np.float64) * direction))
        assert abs(numeric - analytic) <= 1e-3 * (1 + abs(analytic)), (index, numeric, analytic)


def test_one_and_two_threads_give_identical_bits(restore_threads, rng):
    x, kernel, bias = random_problem(rng, 512, 700, 300)
    dz = rng.standard_normal((512, 300)).astype(np.float32)
    results = []
    for threads in (1, 2):
        config.set_num_threads(threads)
        results.append((dense.dense_forward(x, kernel, bias, "gelu"), *dense.dense_backward(x, kernel, dz)))
    for one, two in zip(*results):
        np.testing.assert_array_equal(one, two)


def test_matches_torch_linear_and_its_gradients(rng):
    torch = pytest.importorskip("torch")
    x, kernel, bias = random_problem(rng, 7, 31, 9)
    upstream = rng.standard_normal((7, 9)).astype(np.float32)
    tx, tw, tb = (torch.tensor(a.astype(np.float64), requires_grad=True) for a in (x, kernel.T, bias))
    ty = torch.relu(torch.nn.functional.linear(tx, tw, tb))
    ty.backward(torch.from_numpy(upstream.astype(np.float64)))
    y = dense.dense_forward(x, kernel, bias, "relu")
    dx, dkernel, dbias = dense.dense_backward(x, kernel, (upstream * (y > 0)).astype(np.float32))
    np.testing.assert_allclose(y, ty.detach().numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(dx, tx.grad.numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(dkernel, tw.grad.numpy().T, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(dbias, tb.grad.numpy(), rtol=1e-5, atol=1e-5)


def test_mismatched_shapes_are_value_errors():
    with pytest.raises(ValueError, match="input size 4"):
        dense.dense_forward(np.ones((2, 3)), np.ones((4, 5)))
    with pytest.raises(ValueError, match="2 dimensions"):
        dense.dense_forward(np.ones(3), np.ones((3, 5)))
    with pytest.raises(ValueError, match=r"bias.*shape \(5,\)"):
        dense.dense_forward(np.ones((2, 3)), np.ones((3, 5)), np.ones(4))
    with pytest.raises(ValueError, match=r"dz.*shape \(2, 5\)"):
        dense.dense_backward(np.ones((2, 3)), np.ones((3, 5)), np.ones((2, 4)))
    with pytest.raises(ValueError, match="activation name"):
        dense.dense_forward(np.ones((2, 3)), np.ones((3, 5)), activation="relu6x")
    with pytest.raises(TypeError, match="real numbers"):
        dense.dense_forward(np.array([["a"]]), np.ones((1, 1)))


def test_direct_core_calls_are_checked_not_crashed():
    x, kernel = np.ones((2, 3), np.float32), np.ones((3, 5), np.float32)
    linear = ops.activation_spec()
    with pytest.raises(ValueError, match=r"`y` to have shape \(2, 5\)"):
        _core.dense_forward(x, kernel, None, linear, np.zeros((2, 4), np.float32))
    with pytest.raises(ValueError, match=r"`kernel` to have shape \(3, 5\)"):
        _core.dense_forward(x, np.ones((4, 5), np.float32), None, linear, np.zeros((2, 5), np.float32))
    square = np.ones((2, 2), np.float32)
    with pytest.raises(ValueError, match="share memory"):
        _core.dense_forward(square, square, None, linear, square)
    with pytest.raises(ValueError, match=r"`dkernel` to have shape \(3, 5\)"):
        _core.dense_backward(x, kernel, np.ones((2, 5), np.float32), None, np.zeros((5, 3), np.float32), None)
    with pytest.raises(ValueError, match="float32"):
        _core.dense_backward(x, kernel, np.ones((2, 5), np.float32), np.zeros((2, 3)), None, None)
