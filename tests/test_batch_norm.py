"""Batch normalization: the kernels against the float64 reference and finite differences,
determinism across threads and kernel sets, and the BatchNormalization layer against real Keras."""

import numpy as np
import pytest

import kernas
from kernas import _core
from kernas.layers import BatchNormalization
from kernas.ops import batch_norm as bn

from reference import batch_norm as ref

UNIT = 2.0**-24  # float32 unit roundoff
CHUNK = 256  # rows per reduction chunk (kBatchNormChunkRows)

# Rows 1 (zero variance), 7, 257 (a one-row last chunk), 300 and 1029 (several
# chunks, a partial last one) by channels 1, 3, 17 (vector blocks plus a
# scalar tail in both kernel sets) and 64.
SIZES = [(r, c) for r in (1, 7, 257, 300, 1029) for c in (1, 3, 17, 64)]


def sample(rng, shape, offset=3.0, scale=2.0):
    """Normal data off zero: a mean far from 0 is where a one-pass variance would lose digits."""
    return (offset + scale * rng.standard_normal(shape)).astype(np.float32)


def parameters(rng, channels):
    gamma = rng.uniform(0.5, 2.0, channels).astype(np.float32) * rng.choice([-1, 1], channels).astype(np.float32)
    return gamma, rng.standard_normal(channels).astype(np.float32)


# ---- error bounds --------------------------------------------------------------------------------
# First-order rounding bounds of the kernels' float32 arithmetic, doubled for
# the second-order terms: sums run sequentially over chunks of at most 256 rows
# (error <= (terms + 2) u sum|x_i|), chunk results combine in double. A wrong
# formula (an unbiased variance, a missing term) errs by far more.


class Bounds:
    def __init__(self, x, gamma, epsilon):
        rows = x.reshape(-1, x.shape[-1]).astype(np.float64)
        self.n = rows.shape[0]
        self.k = min(self.n, CHUNK) + 6
        self.mean, self.var = ref.moments(x)
        self.xc = rows - self.mean
        self.inv = 1.0 / np.sqrt(self.var + epsilon)
        self.g = np.abs(np.ones_like(self.mean) if gamma is None else gamma.astype(np.float64))
        self.mean_tol = 2 * self.k * UNIT * np.abs(rows).mean(axis=0)
        self.var_tol = 2 * (self.k * UNIT * self.var
                            + 2 * self.k * UNIT * np.abs(rows).mean(axis=0) * np.abs(self.xc).mean(axis=0)
                            + self.mean_tol**2)
        self.rel_inv = self.var_tol / (2 * (self.var + epsilon)) + 3 * UNIT

    def y(self, expected, beta):
        b = 0.0 if beta is None else np.abs(beta)
        return 2 * (self.g * self.inv * (self.mean_tol + np.abs(self.xc) * (self.rel_inv + 3 * UNIT))
                    + 3 * UNIT * (np.abs(expected.reshape(self.xc.shape)) + b)) + np.finfo(np.float32).tiny

    def backward(self, dy, expected_dx, expected_dgamma, training):
        g = np.abs(dy.reshape(self.xc.shape).astype(np.float64))
        tol_dbeta = 2 * self.k * UNIT * g.sum(axis=0)
        tol_s = 2 * (self.k * UNIT * (g * np.abs(self.xc)).sum(axis=0) + self.mean_tol * g.sum(axis=0))
        tol_dgamma = self.inv * tol_s + np.abs(expected_dgamma) * self.rel_inv
        scale = self.g * self.inv
        if training:
            a = g.sum(axis=0) / self.n
            b = (g * np.abs(self.xc)).sum(axis=0) * self.inv**2 / self.n
            tol_b = self.inv**2 / self.n * tol_s + 2 * b * self.rel_inv
            tol_dx = scale * (4 * UNIT * (g + a + np.abs(self.xc) * b) + tol_dbeta / self.n + np.abs(self.xc) * tol_b
                              + b * (self.mean_tol + UNIT * np.abs(self.xc)))
        else:
            tol_dx = np.zeros_like(g)
        tol_dx = 2 * (tol_dx + np.abs(expected_dx.reshape(g.shape)) * (self.rel_inv + 3 * UNIT))
        return tol_dx.reshape(dy.shape), tol_dgamma, tol_dbeta


def assert_within(actual, expected, tolerance, what):
    error = np.abs(actual.astype(np.float64) - expected)
    assert np.all(error <= tolerance), f"{what}: worst error {error.max():.3g}, worst excess {(error - tolerance).max():.3g}"


# ---- kernels against the float64 reference -------------------------------------------------------


@pytest.mark.parametrize("rows,channels", SIZES)
def test_training_forward_matches_reference(kernel_set, rng, rows, channels):
    x = sample(rng, (rows, channels))
    gamma, beta = parameters(rng, channels)
    y, mean, variance, inv_std = bn.batch_norm_training(x, gamma, beta, 1e-3)
    expected, expected_mean, expected_var = ref.training_forward(x, gamma, beta, 1e-3)
    bounds = Bounds(x, gamma, 1e-3)
    assert y.dtype == np.float32 and y.shape == x.shape
    assert_within(mean, expected_mean, bounds.mean_tol, "mean")
    assert_within(variance, expected_var, bounds.var_tol, "variance")
    assert_within(inv_std, 1.0 / np.sqrt(expected_var + 1e-3), bounds.rel_inv / np.sqrt(expected_var + 1e-3), "inv_std")
    assert_within(y, expected, bounds.y(expected, beta), "y")


@pytest.mark.parametrize("rows,channels", SIZES)
def test_training_backward_matches_reference(kernel_set, rng, rows, channels):
    x = sample(rng, (rows, channels))
    gamma, beta = parameters(rng, channels)
    dy = rng.standard_normal(x.shape).astype(np.float32)
    _, mean, _, inv_std = bn.batch_norm_training(x, gamma, beta, 1e-3)
    dx, dgamma, dbeta = bn.batch_norm_backward(dy, x, mean, inv_std, gamma, training=True)
    expected_dx, expected_dgamma, expected_dbeta = ref.training_backward(dy, x, gamma, 1e-3)
    tol_dx, tol_dgamma, tol_dbeta = Bounds(x, gamma, 1e-3).backward(dy, expected_dx, expected_dgamma, True)
    assert_within(dx, expected_dx, tol_dx, "dx")
    assert_within(dgamma, expected_dgamma, tol_dgamma, "dgamma")
    assert_within(dbeta, expected_dbeta, tol_dbeta, "dbeta")


@pytest.mark.parametrize("shape", [(7, 3), (4, 5, 6, 17), (2, 9, 9, 64), (1, 1)])
@pytest.mark.parametrize("affine", [True, False])
def test_inference_forward_and_backward_match_reference(kernel_set, rng, shape, affine):
    channels = shape[-1]
    x = sample(rng, shape)
    gamma, beta = parameters(rng, channels) if affine else (None, None)
    mean = rng.standard_normal(channels).astype(np.float32)
    variance = rng.uniform(0.1, 3.0, channels).astype(np.float32)
    y, inv_std = bn.batch_norm_inference(x, mean, variance, gamma, beta, 1e-3)
    expected = ref.normalize(x, mean, variance, gamma, beta, 1e-3)
    inv = 1.0 / np.sqrt(variance.astype(np.float64) + 1e-3)
    assert_within(inv_std, inv, 2 * UNIT * inv, "inv_std")
    g = 1.0 if gamma is None else np.abs(gamma)
    b = 0.0 if beta is None else np.abs(beta)
    tol_y = 8 * UNIT * (g * inv * (np.abs(x) + np.abs(mean)) + b)
    assert_within(y, expected, tol_y, "y")

    dy = rng.standard_normal(shape).astype(np.float32)
    dx, dgamma, dbeta = bn.batch_norm_backward(dy, x, mean, inv_std, gamma, training=False)
    expected_dx, expected_dgamma, expected_dbeta = ref.inference_backward(dy, x, mean, variance, gamma, 1e-3)
    rows = x.reshape(-1, channels).size // channels
    k = min(rows, CHUNK) + 6
    assert_within(dx, expected_dx, 6 * UNIT * np.abs(expected_dx), "dx")
    terms = np.abs(dy.reshape(-1, channels)) * (np.abs(x.reshape(-1, channels)) + np.abs(mean)) * inv
    assert_within(dgamma, expected_dgamma, 2 * k * UNIT * terms.sum(axis=0), "dgamma")
    assert_within(dbeta, expected_dbeta, 2 * k * UNIT * np.abs(dy.reshape(-1, channels)).sum(axis=0), "dbeta")


def test_large_mean_keeps_the_variance():
    """Data at 1e4 with spread 1e-1: E[x^2] - E[x]^2 in float32 would lose every digit of the variance.

    Shifted by the first row, the chunk sums see only the spread: the
    variance keeps the chunked-sum bound 2 (256 + 6) u relative to itself.
    """
    rng = np.random.default_rng(7)
    x = (1e4 + 0.1 * rng.standard_normal((1000, 4))).astype(np.float32)
    _, _, variance, _ = bn.batch_norm_training(x, epsilon=1e-3)
    _, expected = ref.moments(x)
    np.testing.assert_allclose(variance, expected, rtol=2 * (CHUNK + 6) * UNIT)


def test_zero_variance_channel_gives_beta():
    x = np.full((9, 2), 5.0, np.float32)
    y, mean, variance, inv_std = bn.batch_norm_training(x, np.array([2.0, 3.0]), np.array([0.5, -1.0]), 1e-3)
    np.testing.assert_array_equal(mean, [5.0, 5.0])
    np.testing.assert_array_equal(variance, [0.0, 0.0])
    np.testing.assert_array_equal(y, np.tile([0.5, -1.0], (9, 1)).astype(np.float32))
    np.testing.assert_allclose(inv_std, 1 / np.sqrt(1e-3), rtol=1e-7)


# ---- finite differences --------------------------------------------------------------------------


def fd_gradient(f, array, h):
    """Central differences of the scalar f() with respect to every element of `array` (float64)."""
    grad = np.zeros(array.shape)
    flat, out = array.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        saved = flat[i]
        flat[i] = saved + h
        up = f()
        flat[i] = saved - h
        down = f()
        flat[i] = saved
        out[i] = (up - down) / (2 * h)
    return grad


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("affine", [True, False])
def test_gradients_match_finite_differences_of_the_kernel(rng, training, affine):
    """The kernels' own forward, differentiated numerically in float32.

    Each forward value errs by about 1e-7 of its size, so L = sum(w * y) errs by
    e ~ 1e-7 * sum|w * y| and a central difference of step h by e / h; the
    truncation error h^2 |L'''| / 6 stays below 1e-5 for unit-scale data. The
    tolerance is ten times that noise estimate.
    """
    shape, channels, h = (5, 2, 2, 3), 3, 1e-2
    x = rng.standard_normal(shape).astype(np.float32)
    w = rng.standard_normal(shape)
    gamma, beta = parameters(rng, channels) if affine else (None, None)
    mean = rng.standard_normal(channels).astype(np.float32)
    variance = rng.uniform(0.5, 2.0, channels).astype(np.float32)

    def loss():
        if training:
            y = bn.batch_norm_training(x, gamma, beta, 1e-3)[0]
        else:
            y = bn.batch_norm_inference(x, mean, variance, gamma, beta, 1e-3)[0]
        return float((w * y).sum())

    if training:
        _, used_mean, _, inv_std = bn.batch_norm_training(x, gamma, beta, 1e-3)
    else:
        used_mean, (_, inv_std) = mean, bn.batch_norm_inference(x, mean, variance, gamma, beta, 1e-3)
    dx, dgamma, dbeta = bn.batch_norm_backward(w.astype(np.float32), x, used_mean, inv_std, gamma, training,
                                               gamma_grad=affine, beta_grad=affine)
    y = bn.batch_norm_training(x, gamma, beta, 1e-3)[0] if training else None
    magnitude = np.abs(w).sum() * (np.abs(y).max() if training else 4.0) + 1.0
    tolerance = 10 * (1e-7 * magnitude / h + 1e-5)
    assert np.abs(dx - fd_gradient(loss, x, h)).max() <= tolerance
    if affine:
        assert np.abs(dgamma - fd_gradient(loss, gamma, h)).max() <= tolerance
        assert np.abs(dbeta - fd_gradient(loss, beta, h)).max() <= tolerance
    else:
        assert dgamma is None and dbeta is None


def test_reference_backward_matches_finite_differences(rng):
    """The float64 reference's chain rule against its own forward: no rounding noise to allow for."""
    x, w = rng.standard_normal((6, 4)), rng.standard_normal((6, 4))
    gamma = rng.standard_normal(4)
    dx, dgamma, _ = ref.training_backward(w, x, gamma, 1e-3)
    np.testing.assert_allclose(dx, fd_gradient(lambda: (w * ref.training_forward(x, gamma, None, 1e-3)[0]).sum(), x,
                                                1e-6), atol=1e-6)
    np.testing.assert_allclose(dgamma, fd_gradient(lambda: (w * ref.training_forward(x, gamma, None, 1e-3)[0]).sum(),
                                                    gamma, 1e-6), atol=1e-6)


# ---- determinism ---------------------------------------------------------------------------------


def run_all(x, dy, gamma, beta):
    moving = [np.full(x.shape[-1], 0.5, np.float32), np.full(x.shape[-1], 2.0, np.float32)]
    y, mean, variance, inv_std = bn.batch_norm_training(x, gamma, beta, 1e-3, moving[0], moving[1], 0.9)
    results = [y, mean, variance, inv_std, *moving]
    results += bn.batch_norm_backward(dy, x, mean, inv_std, gamma, training=True)
    results += bn.batch_norm_inference(x, mean, variance, gamma, beta, 1e-3)
    results += bn.batch_norm_backward(dy, x, mean, inv_std, gamma, training=False)
    return results


# 2000 x 64: eight row chunks, several threads; 40 x 2000: one chunk split over channel blocks.
@pytest.mark.parametrize("shape", [(2000, 64), (40, 2000), (3, 700, 17)])
def test_thread_count_does_not_change_bits(restore_threads, rng, shape):
    x = sample(rng, shape)
    dy = rng.standard_normal(shape).astype(np.float32)
    gamma, beta = parameters(rng, shape[-1])
    kernas.config.set_num_threads(1)
    one = run_all(x, dy, gamma, beta)
    kernas.config.set_num_threads(2)
    two = run_all(x, dy, gamma, beta)
    for a, b in zip(one, two):
        np.testing.assert_array_equal(a, b)


def test_kernel_sets_give_the_same_bits(rng):
    x = sample(rng, (1029, 19))
    dy = rng.standard_normal(x.shape).astype(np.float32)
    gamma, beta = parameters(rng, 19)
    previous = kernas.config.cpu_features()
    try:
        results = []
        for name in kernas.config.available_cpu_features():
            kernas.config.set_cpu_features(name)
            results.append(run_all(x, dy, gamma, beta))
    finally:
        kernas.config.set_cpu_features(previous)
    for other in results[1:]:
        for a, b in zip(results[0], other):
            np.testing.assert_array_equal(a, b)


def test_inference_with_batch_statistics_equals_training(rng):
    x = sample(rng, (300, 5))
    gamma, beta = parameters(rng, 5)
    y, mean, variance, inv_std = bn.batch_norm_training(x, gamma, beta, 1e-3)
    y_inference, inv_inference = bn.batch_norm_inference(x, mean, variance, gamma, beta, 1e-3)
    np.testing.assert_array_equal(y, y_inference)
    np.testing.assert_array_equal(inv_std, inv_inference)


def test_moving_statistics_update_in_place(rng):
    x = sample(rng, (300, 6))
    moving_mean = rng.standard_normal(6).astype(np.float32)
    moving_var = rng.uniform(0.5, 2.0, 6).astype(np.float32)
    before_mean, before_var = moving_mean.copy(), moving_var.copy()
    _, mean, variance, _ = bn.batch_norm_training(x, None, None, 1e-3, moving_mean, moving_var, 0.9)
    np.testing.assert_array_equal(moving_mean, ref.moving_update(before_mean, mean, 0.9))
    np.testing.assert_array_equal(moving_var, ref.moving_update(before_var, variance, 0.9))


# ---- direct _core calls with bad arguments -------------------------------------------------------


def core_arrays(rows=4, channels=3):
    f = np.float32
    return dict(x=np.ones((rows, channels), f), y=np.empty((rows, channels), f), c=lambda: np.empty(channels, f),
                shared=np.ones(channels, f))


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda a: _core.batch_norm_forward_training(a["x"], np.ones(4, np.float32), None, 1e-3, a["y"], a["c"](),
                                                     a["c"](), a["c"](), None, None, 0.99), "gamma"),
        (lambda a: _core.batch_norm_forward_training(a["x"], None, None, 1e-3, np.empty((4, 2), np.float32), a["c"](),
                                                     a["c"](), a["c"](), None, None, 0.99), "`y`"),
        (lambda a: _core.batch_norm_forward_training(a["x"], None, None, 1e-3, a["y"], np.empty(3), a["c"](),
                                                     a["c"](), None, None, 0.99), "float32"),
        (lambda a: _core.batch_norm_forward_training(a["x"], None, None, 1e-3, a["x"], a["c"](), a["c"](), a["c"](),
                                                     None, None, 0.99), "share memory"),
        (lambda a: _core.batch_norm_forward_training(a["x"], None, None, 1e-3, a["y"], a["c"](), a["c"](), a["c"](),
                                                     a["c"](), None, 0.99), "both"),
        (lambda a: _core.batch_norm_forward_training(a["x"], None, None, 1e-3, a["y"], a["shared"], a["c"](),
                                                     a["c"](), a["shared"], a["c"](), 0.99), "moving_mean"),
        (lambda a: _core.batch_norm_backward(a["x"], a["x"] + 1, a["c"](), a["c"](), a["shared"], True, None,
                                             a["shared"], None), "dgamma"),
        (lambda a: _core.batch_norm_forward_training(np.ones((0, 3), np.float32), None, None, 1e-3,
                                                     np.empty((0, 3), np.float32), a["c"](), a["c"](), a["c"](),
                                                     None, None, 0.99), "at least one sample"),
        (lambda a: _core.batch_norm_forward_training(np.float32(1.0), None, None, 1e-3, a["y"], a["c"](), a["c"](),
                                                     a["c"](), None, None, 0.99), "at least 1 dimension"),
        (lambda a: _core.batch_norm_forward_inference(a["x"], np.ones(2, np.float32), np.ones(3, np.float32), None,
                                                      None, 1e-3, a["y"], None), "`mean`"),
        (lambda a: _core.batch_norm_forward_inference(a["x"], np.ones(3, np.float32), np.ones(3, np.float32), None,
                                                      np.ones(5, np.float32), 1e-3, a["y"], None), "beta"),
        (lambda a: _core.batch_norm_backward(a["x"], np.ones((4, 4), np.float32), a["c"](), a["c"](), None, True,
                                             a["y"], None, None), "`dy`"),
        (lambda a: _core.batch_norm_backward(a["x"], a["x"] + 1, a["c"](), np.ones(2, np.float32), None, True, a["y"],
                                             None, None), "inv_std"),
        (lambda a: _core.batch_norm_backward(a["x"], a["x"] + 1, a["c"](), a["c"](), None, True,
                                             np.empty((4, 3), np.float64), None, None), "float32"),
        (lambda a: _core.batch_norm_backward(a["x"], a["x"] + 1, a["c"](), a["c"](), None, True, None,
                                             np.empty(4, np.float32), None), "dgamma"),
    ],
)
def test_core_rejects_bad_arguments(call, message):
    with pytest.raises(ValueError, match=message):
        call(core_arrays())


def test_ops_reject_non_numeric_input():
    with pytest.raises(TypeError, match="real numbers"):
        bn.batch_norm_training(np.array([["a", "b"]]))


# ---- the BatchNormalization layer ----------------------------------------------------------------


def random_weights(rng, layer):
    """Values for every variable of a built layer: scales and variances positive, the rest normal."""
    weights = []
    for variable in layer.weights:
        if variable.name in ("gamma", "moving_variance"):
            weights.append(rng.uniform(0.5, 2.0, variable.shape).astype(np.float32))
        else:
            weights.append(rng.standard_normal(variable.shape).astype(np.float32))
    return weights


def layer_pair(keras, rng, shape, **kwargs):
    ours = BatchNormalization(name="bn", **kwargs)
    theirs = keras.layers.BatchNormalization(name="bn", **kwargs)
    ours.build_once(shape)
    theirs.build(shape)
    weights = random_weights(rng, ours)
    ours.set_weights(weights)
    theirs.set_weights(weights)
    return ours, theirs


def to_numpy(keras, tensor):
    return keras.ops.convert_to_numpy(tensor)


# Both sides compute in float32 within about 1e-6 of the exact values for this
# unit-scale data (the kernel by the bounds above; Keras's E[x^2] - E[x]^2
# loses only a few ulps of E[x^2] / var ~ 3). A semantic slip (an unbiased
# variance, momentum applied the other way, epsilon outside the root) errs by
# 1e-3 or more.
KERAS_TOLERANCE = dict(rtol=2e-5, atol=2e-5)


@pytest.mark.parametrize("center,scale", [(True, True), (False, True), (True, False), (False, False)])
@pytest.mark.parametrize("shape", [(6, 5, 4, 3), (32, 17)])
def test_layer_matches_keras_in_training_and_inference(keras, rng, shape, center, scale):
    ours, theirs = layer_pair(keras, rng, shape, center=center, scale=scale, momentum=0.9, epsilon=1e-2)
    for step in range(2):  # the second step starts from the updated moving statistics
        x = sample(rng, shape, offset=1.0, scale=1.5)
        y, _ = ours.forward(x, training=True)
        np.testing.assert_allclose(y, to_numpy(keras, theirs(x, training=True)), **KERAS_TOLERANCE)
        np.testing.assert_allclose(ours.moving_mean.numpy(), to_numpy(keras, theirs.moving_mean.value),
                                   **KERAS_TOLERANCE)
        np.testing.assert_allclose(ours.moving_variance.numpy(), to_numpy(keras, theirs.moving_variance.value),
                                   **KERAS_TOLERANCE)
        y, _ = ours.forward(x, training=False)
        np.testing.assert_allclose(y, to_numpy(keras, theirs(x, training=False)), **KERAS_TOLERANCE)


@pytest.mark.parametrize("training", [True, False])
def test_layer_gradients_match_keras_autograd(keras, rng, training):
    import torch

    shape = (4, 3, 5, 6)
    ours, theirs = layer_pair(keras, rng, shape)
    x = sample(rng, shape, offset=1.0, scale=1.5)
    w = rng.standard_normal(shape).astype(np.float32)
    y, saved = ours.forward(x, training=training)
    dx, (dgamma, dbeta) = ours.backward(saved, w, need_input_grad=True)

    x_torch = torch.tensor(x, requires_grad=True)
    y_torch = theirs(x_torch, training=training)
    (y_torch * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(y, y_torch.detach().numpy(), **KERAS_TOLERANCE)
    np.testing.assert_allclose(dx, x_torch.grad.numpy(), **KERAS_TOLERANCE)
    # Parameter gradients are sums over 60 rows: a proportionally larger absolute rounding.
    np.testing.assert_allclose(dgamma, theirs.gamma.value.grad.numpy(), rtol=2e-5, atol=60 * 2e-6)
    np.testing.assert_allclose(dbeta, theirs.beta.value.grad.numpy(), rtol=2e-5, atol=60 * 2e-6)


def test_frozen_layer_runs_in_inference_mode_like_keras(keras, rng):
    shape = (8, 5)
    ours, theirs = layer_pair(keras, rng, shape)
    ours.trainable = False
    theirs.trainable = False
    before = ours.get_weights()
    x = sample(rng, shape)
    y, saved = ours.forward(x, training=True)
    np.testing.assert_allclose(y, to_numpy(keras, theirs(x, training=True)), **KERAS_TOLERANCE)
    np.testing.assert_array_equal(y, ours.forward(x, training=False)[0])
    for a, b in zip(before, ours.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert ours.trainable_weights == [] and len(ours.non_trainable_weights) == 4
    dx, grads = ours.backward(saved, np.ones(shape, np.float32))
    inv = 1.0 / np.sqrt(before[3].astype(np.float64) + 1e-3)
    np.testing.assert_allclose(dx, np.broadcast_to(before[0] * inv, shape), rtol=4 * UNIT)
    assert [g.shape for g in grads] == [(5,), (5,)]


def test_layer_training_call_updates_moving_statistics(rng):
    layer = BatchNormalization(momentum=0.8)
    x = sample(rng, (50, 4))
    y = layer(x, training=True)
    _, mean, variance, _ = bn.batch_norm_training(x, None, None, 1e-3)
    np.testing.assert_array_equal(layer.moving_mean.numpy(), ref.moving_update(np.zeros(4), mean, 0.8))
    np.testing.assert_array_equal(layer.moving_variance.numpy(), ref.moving_update(np.ones(4), variance, 0.8))
    np.testing.assert_array_equal(y, bn.batch_norm_training(x, np.ones(4), np.zeros(4), 1e-3)[0])
    moved = layer.get_weights()
    layer(x)  # inference by default: nothing changes
    for a, b in zip(moved, layer.get_weights()):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("center,scale", [(True, True), (False, True), (True, False), (False, False)])
def test_layer_gradient_lists_follow_the_trainable_variables(rng, center, scale):
    layer = BatchNormalization(center=center, scale=scale)
    layer.build_once((None, 2, 3))
    x = sample(rng, (4, 2, 3))
    _, saved = layer.forward(x, training=True)
    dx, grads = layer.backward(saved, np.ones(x.shape, np.float32), need_input_grad=False)
    assert dx is None
    assert [v.name for v in layer.trainable_variables_of_layer()] == [n for n, on in (("gamma", scale),
                                                                                     ("beta", center)) if on]
    assert len(grads) == center + scale and all(g.shape == (3,) for g in grads)


def test_variables_follow_keras(keras):
    ours = BatchNormalization(name="bn", gamma_regularizer="l2")
    theirs = keras.layers.BatchNormalization(name="bn", gamma_regularizer="l2")
    ours.build_once((None, 7))
    theirs.build((None, 7))
    assert [v.path for v in ours.weights] == [v.path for v in theirs.weights]
    assert [v.trainable for v in ours.weights] == [v.trainable for v in theirs.weights]
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert ours.count_params() == theirs.count_params()
    assert ours.gamma.regularizer is not None and ours.beta.regularizer is None
    assert ours.compute_output_shape((None, 7)) == (None, 7)


def config_kwargs(module):
    return [
        {},
        {"axis": 3, "momentum": 0.9, "epsilon": 1e-5, "center": False},
        {"scale": False, "beta_initializer": module.initializers.RandomNormal(seed=3),
         "gamma_regularizer": "l2", "beta_regularizer": module.regularizers.L1(0.25),
         "moving_variance_initializer": "zeros", "renorm_momentum": 0.9},
    ]


@pytest.mark.parametrize("case", range(3))
def test_config_matches_keras_and_round_trips(keras, case):
    ours = BatchNormalization(name="bn", **config_kwargs(kernas)[case])
    theirs = keras.layers.BatchNormalization(name="bn", **config_kwargs(keras)[case])
    config = ours.get_config()
    assert config == theirs.get_config()
    assert BatchNormalization.from_config(config).get_config() == config
    assert keras.layers.BatchNormalization.from_config(config).get_config() == config
    ours.build_once((None, 4, 4, 3))
    clone = kernas.layers.deserialize(kernas.layers.serialize(ours))
    assert type(clone) is BatchNormalization and clone.get_config() == config
    assert [v.shape for v in clone.weights] == [v.shape for v in ours.weights]


def test_positive_index_of_the_last_axis_is_accepted(rng):
    layer = BatchNormalization(axis=1)
    x = sample(rng, (5, 3))
    np.testing.assert_array_equal(layer(x, training=True), BatchNormalization()(x, training=True))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"axis": "channels"}, "axis"),
        ({"axis": [1, 2]}, "axis"),
        ({"gamma_constraint": "non_neg"}, "gamma_constraint"),
        ({"beta_constraint": "non_neg"}, "beta_constraint"),
        ({"synchronized": True}, "synchronized"),
        ({"renorm": True}, "renorm"),
        ({"fused": True}, "Unrecognized"),
        ({"dtype": "float16"}, "float32"),
    ],
)
def test_layer_rejects_unsupported_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        BatchNormalization(**kwargs)


def test_layer_rejects_bad_inputs(rng):
    with pytest.raises(ValueError, match="last axis"):
        BatchNormalization(axis=1).build_once((None, 4, 4, 3))
    with pytest.raises(ValueError, match="last axis"):
        BatchNormalization(axis=-2).build_once((None, 3))
    with pytest.raises(ValueError, match="defined"):
        BatchNormalization().build_once((None, None))
    layer = BatchNormalization()
    layer.build_once((None, 4, 4, 3))
    with pytest.raises(ValueError, match="incompatible"):
        layer.forward(np.ones((2, 4, 4, 5), np.float32), training=True)
    with pytest.raises(ValueError, match="incompatible"):
        layer.forward(np.ones((2, 3), np.float32), training=False)
    with pytest.raises(ValueError, match="at least one sample"):
        layer.forward(np.ones((0, 4, 4, 3), np.float32), training=True)
    with pytest.raises(TypeError):
        layer(np.array([[["a"]]]))


@pytest.mark.parametrize("argument", ["momentum", "epsilon"])
@pytest.mark.parametrize("value", ["0.9", None, [0.9]])
def test_layer_refuses_non_numeric_momentum_and_epsilon_by_name(argument, value):
    # float(value) used to raise "could not convert string to float: '0.9'" or a TypeError naming no argument.
    with pytest.raises(ValueError, match=rf"Expected `{argument}` to be a real number"):
        BatchNormalization(**{argument: value})


@pytest.mark.parametrize("call, name", [
    (lambda x, c: bn.batch_norm_training(x, epsilon="1e-3"), "epsilon"),
    (lambda x, c: bn.batch_norm_training(x, momentum=None, moving_mean=np.zeros(c, np.float32),
                                         moving_variance=np.ones(c, np.float32)), "momentum"),
    (lambda x, c: bn.batch_norm_training(x, moving_mean=[0.0] * c, moving_variance=[1.0] * c), "moving_mean"),
    (lambda x, c: bn.batch_norm_training(x, gamma="ones"), "gamma"),
    (lambda x, c: bn.batch_norm_inference(x, np.zeros(c), None), "variance"),
    (lambda x, c: bn.batch_norm_inference(x, np.zeros(c), np.ones(c), epsilon=None), "epsilon"),
    (lambda x, c: bn.batch_norm_backward(x, x, None, np.ones(c)), "mean"),
])
def test_ops_refuse_wrong_arguments_by_name(call, name):
    # They used to reach the native module, whose pybind11 TypeError ("incompatible function arguments")
    # named none of them.
    x = np.ones((4, 3), np.float32)
    with pytest.raises(TypeError, match=rf"Expected `{name}`"):
        call(x, 3)
