import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pytest
from reference import losses as ref

import kernas
from kernas import _core
from kernas.ops import losses

SHAPES = [(1, 1), (1, 3), (1, 10), (1, 17), (7, 1), (7, 3), (7, 10), (7, 17)]
# 32-row chunks, 2**14 elements per thread: 4099 x 17 is 129 chunks, enough for 2+ threads.
THREADED_SHAPE = (4099, 17)
EPS = np.float32(1e-7)


def error_vector(rng, shape, away_from=()):
    """Errors of random sign with magnitudes in [0.1, 2], avoiding +-0.1 around each kink."""
    magnitude = rng.uniform(0.1, 2.0, shape)
    for kink in away_from:
        near = np.abs(magnitude - kink) < 0.1
        magnitude[near] += 0.2
    return magnitude * rng.choice([-1.0, 1.0], shape)


def one_hot(rng, rows, cols):
    return np.eye(cols, dtype=np.float32)[rng.integers(0, cols, rows)]


@dataclass
class Case:
    """One loss configuration: how to call kernas, the reference, and data away from kinks and clipping."""

    name: str
    call: Callable  # (y_true, y_pred, **kwargs) -> kernas result
    reference: Callable  # (y_true, y_pred) -> (per-sample values, per-sample gradient)
    data: Callable  # (rng, rows, cols) -> (y_true, y_pred)
    step: float = 1e-2  # finite-difference step in y_pred
    options: dict = field(default_factory=dict)

    def __repr__(self):
        return self.name


def regression(rng, rows, cols, kinks=(1.0,)):
    t = rng.standard_normal((rows, cols)).astype(np.float32)
    return t, (t + error_vector(rng, (rows, cols), kinks)).astype(np.float32)


def binary_probabilities(rng, rows, cols):
    t = rng.integers(0, 2, (rows, cols)).astype(np.float32)
    t[:, ::3] = rng.uniform(0, 1, t[:, ::3].shape)  # soft targets too
    return t, rng.uniform(0.05, 0.95, (rows, cols)).astype(np.float32)


def binary_logits(rng, rows, cols):
    t, _ = binary_probabilities(rng, rows, cols)
    return t, (3 * rng.standard_normal((rows, cols))).astype(np.float32)


def categorical_probabilities(rng, rows, cols):
    # Not normalised: Keras divides by the row sum, and the gradient must follow.
    return one_hot(rng, rows, cols), rng.uniform(0.1, 1.0, (rows, cols)).astype(np.float32)


def categorical_logits(rng, rows, cols):
    return one_hot(rng, rows, cols), (3 * rng.standard_normal((rows, cols))).astype(np.float32)


def sparse_probabilities(rng, rows, cols):
    return rng.integers(0, cols, rows), rng.uniform(0.1, 1.0, (rows, cols)).astype(np.float32)


def sparse_logits(rng, rows, cols):
    return rng.integers(0, cols, rows), (3 * rng.standard_normal((rows, cols))).astype(np.float32)


def huber_data(delta):
    return lambda rng, rows, cols: regression(rng, rows, cols, kinks=(delta,))


CASES = [
    Case("mse", losses.mean_squared_error, ref.mean_squared_error, regression),
    Case("mae", losses.mean_absolute_error, ref.mean_absolute_error, regression),
    Case("huber", losses.huber, ref.huber, huber_data(1.0)),
    Case(
        "huber_delta_0.4",
        lambda t, p, **k: losses.huber(t, p, delta=0.4, **k),
        lambda t, p: ref.huber(t, p, delta=0.4),
        huber_data(0.4),
        options={"delta": 0.4},
    ),
    Case("bce", losses.binary_crossentropy, ref.binary_crossentropy, binary_probabilities, step=1e-3),
    Case(
        "bce_smoothing",
        lambda t, p, **k: losses.binary_crossentropy(t, p, label_smoothing=0.2, **k),
        lambda t, p: ref.binary_crossentropy(t, p, label_smoothing=0.2),
        binary_probabilities,
        step=1e-3,
        options={"label_smoothing": 0.2},
    ),
    Case(
        "bce_logits",
        lambda t, p, **k: losses.binary_crossentropy(t, p, from_logits=True, **k),
        ref.binary_crossentropy_from_logits,
        binary_logits,
        options={"from_logits": True},
    ),
    Case(
        "bce_logits_smoothing",
        lambda t, p, **k: losses.binary_crossentropy(t, p, from_logits=True, label_smoothing=0.1, **k),
        lambda t, p: ref.binary_crossentropy_from_logits(t, p, label_smoothing=0.1),
        binary_logits,
        options={"from_logits": True, "label_smoothing": 0.1},
    ),
    Case("cce", losses.categorical_crossentropy, ref.categorical_crossentropy, categorical_probabilities, step=1e-3),
    Case(
        "cce_smoothing",
        lambda t, p, **k: losses.categorical_crossentropy(t, p, label_smoothing=0.3, **k),
        lambda t, p: ref.categorical_crossentropy(t, p, label_smoothing=0.3),
        categorical_probabilities,
        step=1e-3,
        options={"label_smoothing": 0.3},
    ),
    Case(
        "cce_logits",
        lambda t, p, **k: losses.categorical_crossentropy(t, p, from_logits=True, **k),
        ref.categorical_crossentropy_from_logits,
        categorical_logits,
        options={"from_logits": True},
    ),
    Case(
        "cce_logits_smoothing",
        lambda t, p, **k: losses.categorical_crossentropy(t, p, from_logits=True, label_smoothing=0.1, **k),
        lambda t, p: ref.categorical_crossentropy_from_logits(t, p, label_smoothing=0.1),
        categorical_logits,
        options={"from_logits": True, "label_smoothing": 0.1},
    ),
    Case(
        "sparse",
        losses.sparse_categorical_crossentropy,
        ref.sparse_categorical_crossentropy,
        sparse_probabilities,
        step=1e-3,
    ),
    Case(
        "sparse_logits",
        lambda t, p, **k: losses.sparse_categorical_crossentropy(t, p, from_logits=True, **k),
        lambda t, p: ref.sparse_categorical_crossentropy(t, p, from_logits=True),
        sparse_logits,
        options={"from_logits": True},
    ),
]


def assert_close(actual, expected, rtol=1e-5):
    """Relative to the largest expected magnitude: float32 terms summed, nothing looser."""
    expected = np.asarray(expected, dtype=np.float64)
    scale = max(float(np.max(np.abs(expected), initial=0.0)), 1e-30)
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=rtol * scale)


def weights_for(rng, rows, weighted):
    return rng.uniform(0.5, 2.0, rows).astype(np.float32) if weighted else None


@pytest.mark.parametrize("case", CASES, ids=repr)
@pytest.mark.parametrize("rows, cols", SHAPES)
@pytest.mark.parametrize("weighted", [False, True])
def test_matches_reference(kernel_set, rng, case, rows, cols, weighted):
    y_true, y_pred = case.data(rng, rows, cols)
    weights = weights_for(rng, rows, weighted)
    loss, grad = case.call(y_true, y_pred, sample_weight=weights, gradient=True)
    expected_loss, expected_grad = ref.reduce(*case.reference(y_true, y_pred), weights)
    assert isinstance(loss, float) and grad.dtype == np.float32 and grad.shape == y_pred.shape
    assert_close(loss, expected_loss)
    assert_close(grad, expected_grad)
    assert case.call(y_true, y_pred, sample_weight=weights) == loss  # the forward-only call


@pytest.mark.parametrize("case", CASES, ids=repr)
@pytest.mark.parametrize("rows, cols", [(1, 10), (7, 3), (7, 17)])
def test_gradient_matches_finite_differences(kernel_set, rng, case, rows, cols):
    y_true, y_pred = case.data(rng, rows, cols)
    weights = weights_for(rng, rows, True)
    _, grad = case.call(y_true, y_pred, sample_weight=weights, gradient=True)
    direction = rng.standard_normal(y_pred.shape)
    plus = (y_pred + case.step * direction).astype(np.float32)
    minus = (y_pred - case.step * direction).astype(np.float32)
    # Against the float32 points actually evaluated, so rounding of the step does not count.
    predicted = np.sum(grad.astype(np.float64) * (plus.astype(np.float64) - minus))
    measured = case.call(y_true, plus, sample_weight=weights) - case.call(y_true, minus, sample_weight=weights)
    assert measured == pytest.approx(predicted, rel=2e-3, abs=1e-6)


@pytest.mark.parametrize("case", CASES, ids=repr)
def test_reductions_and_per_sample_values(kernel_set, rng, case):
    y_true, y_pred = case.data(rng, 7, 5)
    weights = weights_for(rng, 7, True)
    per_sample, grad = case.reference(y_true, y_pred)
    assert_close(case.call(y_true, y_pred, sample_weight=weights, reduction=None), per_sample * weights)
    assert_close(case.call(y_true, y_pred, reduction="none"), per_sample)
    loss, g = case.call(y_true, y_pred, sample_weight=weights, reduction="sum", gradient=True)
    expected = ref.reduce(per_sample, grad, weights, divisor=1.0)
    assert_close(loss, expected[0])
    assert_close(g, expected[1])
    loss, g = case.call(y_true, y_pred, sample_weight=weights, reduction="mean_with_sample_weight", gradient=True)
    expected = ref.reduce(per_sample, grad, weights, divisor=np.sum(weights, dtype=np.float64))
    assert_close(loss, expected[0])
    assert_close(g, expected[1])
    assert case.call(y_true, y_pred, reduction="mean") == case.call(y_true, y_pred)
    # divide_no_nan: all-zero weights with "mean_with_sample_weight" give 0, not NaN.
    zero = np.zeros(7, np.float32)
    loss, g = case.call(y_true, y_pred, sample_weight=zero, reduction="mean_with_sample_weight", gradient=True)
    assert loss == 0.0 and not g.any()


def extreme_cases():
    """Probabilities exactly 0 and 1 (clipped), logits of +-1e4."""
    t = np.array([[1, 0, 0, 1], [0, 1, 1, 0], [1, 1, 0, 0]], np.float32)
    p = np.array([[0, 1, 0, 1], [0, 1, 1e-30, 0.5], [1, 0, 0, 1]], np.float32)
    x = np.array([[1e4, -1e4, 0, 3], [-1e4, 1e4, 1e4, -1e4], [1e4, 1e4, -1e4, 1e4]], np.float32)
    labels = np.array([0, 2, 3])
    return [
        ("bce", losses.binary_crossentropy, ref.binary_crossentropy, t, p),
        ("bce_logits", lambda a, b, **k: losses.binary_crossentropy(a, b, from_logits=True, **k),
         ref.binary_crossentropy_from_logits, t, x),
        ("cce", losses.categorical_crossentropy, ref.categorical_crossentropy, t / t.sum(1, keepdims=True), p),
        ("cce_logits", lambda a, b, **k: losses.categorical_crossentropy(a, b, from_logits=True, **k),
         ref.categorical_crossentropy_from_logits, t, x),
        ("sparse", losses.sparse_categorical_crossentropy, ref.sparse_categorical_crossentropy, labels, p),
        ("sparse_logits", lambda a, b, **k: losses.sparse_categorical_crossentropy(a, b, from_logits=True, **k),
         lambda a, b: ref.sparse_categorical_crossentropy(a, b, from_logits=True), labels, x),
    ]


@pytest.mark.parametrize(
    "name, call, reference, y_true, y_pred", extreme_cases(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_extreme_inputs_give_finite_losses_and_gradients(kernel_set, name, call, reference, y_true, y_pred):
    loss, grad = call(y_true, y_pred, gradient=True)
    assert np.isfinite(loss) and np.isfinite(grad).all()
    expected_loss, expected_grad = ref.reduce(*reference(y_true, y_pred))
    assert_close(loss, expected_loss)
    assert_close(grad, expected_grad)


def test_clipped_probabilities_have_zero_gradient(kernel_set):
    p = np.array([[0.0, 1.0, 0.5, 5e-8, 1 - 5e-8]], np.float32)
    _, grad = losses.binary_crossentropy(np.ones_like(p), p, gradient=True)
    np.testing.assert_array_equal(grad[0, [0, 1, 3, 4]], 0.0)
    assert grad[0, 2] < 0
    # One-hot on a probability of 0: Keras's loss is -log(1e-7), constant, so no gradient.
    loss, grad = losses.categorical_crossentropy([[0, 1, 0]], [[0.5, 0.0, 0.5]], gradient=True)
    assert loss == pytest.approx(-np.log(1e-7), rel=1e-6)
    np.testing.assert_array_equal(grad, 0.0)


@pytest.mark.usefixtures("restore_threads")
@pytest.mark.parametrize("case", CASES, ids=repr)
def test_one_and_two_threads_agree_bitwise(kernel_set, rng, case):
    y_true, y_pred = case.data(rng, *THREADED_SHAPE)
    weights = weights_for(rng, THREADED_SHAPE[0], True)
    results = []
    for threads in (1, 2):
        kernas.config.set_num_threads(threads)
        results.append(case.call(y_true, y_pred, sample_weight=weights, gradient=True))
    assert results[0][0] == results[1][0]
    np.testing.assert_array_equal(results[0][1], results[1][1])


def on_every_kernel_set(fn):
    previous = kernas.config.cpu_features()
    try:
        results = []
        for arch in kernas.config.available_cpu_features():
            kernas.config.set_cpu_features(arch)
            results.append(fn())
        return results
    finally:
        kernas.config.set_cpu_features(previous)


def with_extreme_logits(y_pred):
    # exp flushed to 0, and inputs below the vector exp's floor (about -86.9)
    y_pred[0, :3] = [1e4, -1e4, -88.5]
    return y_pred


@pytest.mark.parametrize("case", CASES, ids=repr)
@pytest.mark.parametrize("rows, cols", [(7, 17), (5, 100)])
def test_kernel_sets_agree_bitwise(rng, case, rows, cols):
    y_true, y_pred = case.data(rng, rows, cols)
    if case.options.get("from_logits"):
        y_pred = with_extreme_logits(y_pred)
    weights = weights_for(rng, rows, True)
    results = on_every_kernel_set(lambda: case.call(y_true, y_pred, sample_weight=weights, gradient=True))
    for loss, grad in results[1:]:
        assert loss == results[0][0]
        np.testing.assert_array_equal(grad, results[0][1])


def test_fused_kernel_sets_agree_bitwise(rng):
    labels, logits = sparse_logits(rng, 7, 100)
    logits = with_extreme_logits(logits)
    results = on_every_kernel_set(
        lambda: losses.softmax_crossentropy(labels, logits, sparse=True, with_probabilities=True)
    )
    for result in results[1:]:
        assert result.loss == results[0].loss and result.clipped_rows == results[0].clipped_rows == 1
        np.testing.assert_array_equal(result.gradient, results[0].gradient)
        np.testing.assert_array_equal(result.probabilities, results[0].probabilities)


@pytest.mark.usefixtures("restore_threads")
def test_fused_softmax_crossentropy_threads_agree_bitwise(kernel_set, rng):
    labels, logits = sparse_logits(rng, *THREADED_SHAPE)
    results = []
    for threads in (1, 2):
        kernas.config.set_num_threads(threads)
        results.append(losses.softmax_crossentropy(labels, logits, sparse=True, with_probabilities=True))
    assert results[0].loss == results[1].loss
    np.testing.assert_array_equal(results[0].gradient, results[1].gradient)
    np.testing.assert_array_equal(results[0].probabilities, results[1].probabilities)


# ---- the fused softmax + crossentropy of an output layer ----


@pytest.mark.parametrize("rows, cols", [(1, 3), (7, 10), (7, 17)])
@pytest.mark.parametrize("weighted", [False, True])
def test_fused_softmax_crossentropy(kernel_set, rng, rows, cols, weighted):
    labels, logits = sparse_logits(rng, rows, cols)
    dense = np.eye(cols, dtype=np.float32)[labels]
    weights = weights_for(rng, rows, weighted)
    sparse = losses.softmax_crossentropy(labels, logits, weights, sparse=True, with_probabilities=True)
    expected_loss, expected_grad = ref.reduce(*ref.categorical_crossentropy_from_logits(dense, logits), weights)
    assert_close(sparse.loss, expected_loss)
    # dL/dlogits = (softmax - one_hot) * w / batch
    scale = (weights[:, None] if weighted else 1.0) / rows
    assert_close(sparse.gradient, (ref.softmax(logits) - dense) * scale)
    assert_close(sparse.gradient, expected_grad)
    assert_close(sparse.probabilities, ref.softmax(logits), rtol=1e-6)
    assert sparse.clipped_rows == 0
    one_hot_result = losses.softmax_crossentropy(dense, logits, weights)
    assert one_hot_result.probabilities is None
    assert_close(one_hot_result.loss, expected_loss)
    assert_close(one_hot_result.gradient, expected_grad)
    # The probability path (Keras's categorical_crossentropy on softmax, then
    # softmax's backward) gives the same loss and gradient when nothing is clipped.
    probabilities = ref.softmax(logits)
    prob_loss, prob_grad = losses.categorical_crossentropy(dense, probabilities, weights, gradient=True)
    assert_close(prob_loss, sparse.loss)
    through_softmax = probabilities * (prob_grad - np.sum(prob_grad * probabilities, axis=-1, keepdims=True))
    assert_close(sparse.gradient, through_softmax, rtol=1e-4)


def test_fused_softmax_crossentropy_with_label_smoothing(kernel_set, rng):
    dense, logits = categorical_logits(rng, 7, 10)
    result = losses.softmax_crossentropy(dense, logits, label_smoothing=0.2)
    expected = ref.reduce(*ref.categorical_crossentropy_from_logits(dense, logits, label_smoothing=0.2))
    assert_close(result.loss, expected[0])
    assert_close(result.gradient, expected[1])
    assert result.loss == losses.categorical_crossentropy(dense, logits, from_logits=True, label_smoothing=0.2)


def test_fused_path_counts_the_rows_keras_would_clip(kernel_set):
    # Row 0: a confident right answer (p ~ 1 - 2e-9 > 1 - 1e-7); row 1: a confident
    # wrong one (p ~ 2e-9 < 1e-7); row 2: ordinary.
    logits = np.array([[20.0, 0.0, 0.0], [0.0, 20.0, 0.0], [1.0, 0.5, 0.0]], np.float32)
    labels = np.array([0, 0, 1])
    result = losses.softmax_crossentropy(labels, logits, sparse=True, with_probabilities=True)
    assert result.clipped_rows == 2 == ref.clipped_rows(np.eye(3)[labels], logits)
    # The fused loss keeps -log p where Keras's probability path caps it at -log(1e-7).
    wrong = -ref.log_softmax(logits.astype(np.float64))[1, 0]
    assert wrong > 19
    keras_values = losses.sparse_categorical_crossentropy(labels, result.probabilities, reduction=None)
    assert keras_values[1] == pytest.approx(-np.log(1e-7), rel=1e-6)
    fused_values = ref.categorical_crossentropy_from_logits(np.eye(3)[labels], logits)[0]
    assert_close(result.loss, fused_values.mean())
    assert np.isfinite(result.gradient).all()
    extreme = losses.softmax_crossentropy([0, 1], [[1e4, -1e4], [1e4, -1e4]], sparse=True)
    assert extreme.clipped_rows == 2 and np.isfinite(extreme.loss) and np.isfinite(extreme.gradient).all()
    assert extreme.loss == pytest.approx(1e4, rel=1e-6)


# ---- shapes, as Keras takes them ----


def test_rank_one_labels_against_a_single_output_column(kernel_set, rng):
    t = rng.standard_normal(7).astype(np.float32)
    p = rng.standard_normal((7, 1)).astype(np.float32)
    w = weights_for(rng, 7, True)
    column = losses.mean_squared_error(t[:, None], p, w, gradient=True)
    for y_true, y_pred in [(t, p), (t[:, None], p[:, 0]), (t[:, None], p)]:
        loss, grad = losses.mean_squared_error(y_true, y_pred, w, gradient=True)
        assert loss == column[0]
        assert grad.shape == np.shape(y_pred)
        np.testing.assert_array_equal(grad.ravel(), column[1].ravel())


def test_rank_one_inputs_are_one_sample(kernel_set, rng):
    t, p = rng.standard_normal(7).astype(np.float32), rng.standard_normal(7).astype(np.float32)
    assert_close(losses.mean_squared_error(t, p), np.mean((t.astype(np.float64) - p) ** 2))
    # Keras broadcasts the single loss value over a vector of weights: loss * sum(w) / len(w).
    w = rng.uniform(0.5, 2, 7).astype(np.float32)
    assert_close(losses.mean_squared_error(t, p, w), np.mean((t.astype(np.float64) - p) ** 2) * w.mean())
    assert_close(losses.mean_squared_error(t, p, 2.0), 2 * np.mean((t.astype(np.float64) - p) ** 2))


def test_higher_rank_inputs_reduce_the_last_axis(kernel_set, rng):
    t, p = categorical_logits(rng, 12, 5)
    w = weights_for(rng, 12, True)
    flat = losses.categorical_crossentropy(t, p, w, from_logits=True, gradient=True)
    shaped = losses.categorical_crossentropy(
        t.reshape(3, 4, 5), p.reshape(3, 4, 5), w.reshape(3, 4), from_logits=True, gradient=True
    )
    assert shaped[0] == flat[0]
    np.testing.assert_array_equal(shaped[1], flat[1].reshape(3, 4, 5))


# ---- bad input ----


def test_shape_mismatch_is_rejected():
    with pytest.raises(ValueError, match=r"Expected y_true and y_pred to have the same shape. Received: "
                                         r"y_true.shape=\(4, 3\), y_pred.shape=\(4, 2\)"):
        losses.mean_squared_error(np.zeros((4, 3)), np.zeros((4, 2)))
    with pytest.raises(ValueError, match="same shape"):
        losses.binary_crossentropy(np.zeros(5), np.zeros(4))


@pytest.mark.parametrize("labels_shape", [(8,), (8, 1)])
def test_integer_labels_for_categorical_crossentropy_suggest_the_fix(labels_shape):
    labels = np.arange(8).reshape(labels_shape) % 10
    pattern = r"to_categorical\(y_true, num_classes=10\).*sparse_categorical_crossentropy"
    with pytest.raises(ValueError, match=pattern):
        losses.categorical_crossentropy(labels, np.full((8, 10), 0.1))
    with pytest.raises(ValueError, match=r"to_categorical.*sparse=True"):
        losses.softmax_crossentropy(labels, np.zeros((8, 10)))


@pytest.mark.parametrize("bad", [10, -1, 12345678901])
def test_sparse_labels_out_of_range_are_rejected(bad):
    labels = np.array([0, 3, bad, 1])
    message = rf"class indices in \[0, 10\).*10 classes.*label {bad} at position 2"
    with pytest.raises(ValueError, match=message):
        losses.sparse_categorical_crossentropy(labels, np.full((4, 10), 0.1))
    with pytest.raises(ValueError, match=message):
        losses.softmax_crossentropy(labels, np.zeros((4, 10)), sparse=True)
    # The binding checks too, so a direct call cannot read out of bounds.
    core_message = rf"\[0, 10\). Received: label={bad} at index 2, while y_pred has 10 classes"
    p = np.full((4, 10), 0.1, np.float32)
    with pytest.raises(ValueError, match=core_message):
        _core.sparse_categorical_crossentropy(labels, p, False, None, 4.0, None, None)
    with pytest.raises(ValueError, match=core_message):
        _core.softmax_crossentropy(p, None, labels, 0.0, None, 4.0, None, None, None)


def test_one_indexed_sparse_labels_get_a_hint():
    labels = np.array([1, 10, 4, 7])
    message = r"\[0, 10\).*label 10 at position 1\. The labels run from 1 to 10, so they look 1-indexed: pass y_true - 1"
    with pytest.raises(ValueError, match=message):
        losses.sparse_categorical_crossentropy(labels, np.full((4, 10), 0.1))
    with pytest.raises(ValueError, match=message):
        losses.softmax_crossentropy(labels.astype(np.float32), np.zeros((4, 10)), sparse=True)
    # 0-based labels past the end get the other advice.
    with pytest.raises(ValueError, match=r"label 11 at position 0\. Check that y_pred's last dimension"):
        losses.sparse_categorical_crossentropy(np.array([11, 1, 4, 7]), np.full((4, 10), 0.1))


def test_bad_sparse_labels():
    p = np.full((3, 4), 0.25)
    with pytest.raises(ValueError, match=r"integer class indices.*0.5"):
        losses.sparse_categorical_crossentropy([0.0, 0.5, 1.0], p)
    with pytest.raises(ValueError, match=r"one class index per sample, of shape \(3,\)"):
        losses.sparse_categorical_crossentropy([[0, 1], [1, 1], [2, 2]], p)
    with pytest.raises(TypeError, match="integer class indices"):
        losses.sparse_categorical_crossentropy(np.array(["a", "b", "c"]), p)
    assert losses.sparse_categorical_crossentropy([0.0, 1.0, 3.0], p) == losses.sparse_categorical_crossentropy(
        [[0], [1], [3]], p
    )


def test_bad_arguments():
    t, p = np.zeros((4, 3)), np.full((4, 3), 0.5)
    with pytest.raises(ValueError, match=r"sample_weight to hold one weight per sample, of shape \(4,\)"):
        losses.mean_squared_error(t, p, sample_weight=np.ones(5))
    with pytest.raises(ValueError, match="reduction in"):
        losses.mean_squared_error(t, p, reduction="average")
    with pytest.raises(ValueError, match="gradient=True"):
        losses.mean_squared_error(t, p, reduction=None, gradient=True)
    with pytest.raises(ValueError, match=r"label_smoothing` to be a float in \[0, 1\]"):
        losses.binary_crossentropy(t, p, label_smoothing=1.5)
    with pytest.raises(ValueError, match="delta` to be a positive"):
        losses.huber(t, p, delta=0)
    with pytest.raises(TypeError, match="from_logits"):
        losses.binary_crossentropy(t, p, from_logits="yes")
    with pytest.raises(ValueError, match="at least one prediction per sample"):
        losses.mean_squared_error(np.zeros((4, 0)), np.zeros((4, 0)))
    with pytest.raises(TypeError, match="real numbers"):
        losses.mean_squared_error(np.array(["a"]), np.zeros(1))
    with pytest.raises(ValueError, match="no label smoothing"):
        losses.softmax_crossentropy([0, 1, 2, 0], p, sparse=True, label_smoothing=0.1)


def test_direct_core_calls_check_shapes():
    kind = _core.LossKind.mean_squared_error
    t, p = np.zeros((4, 3), np.float32), np.zeros((4, 3), np.float32)
    with pytest.raises(ValueError, match=r"`y_true` to have shape \(4, 3\)"):
        _core.loss(kind, np.zeros((4, 2), np.float32), p, None, 4.0, None, None)
    with pytest.raises(ValueError, match=r"`sample_weight` to have shape \(4,\)"):
        _core.loss(kind, t, p, np.ones(3, np.float32), 4.0, None, None)
    with pytest.raises(ValueError, match=r"`grad` to have shape \(4, 3\)"):
        _core.loss(kind, t, p, None, 4.0, None, np.empty((3, 4), np.float32))
    with pytest.raises(ValueError, match=r"`per_sample` to have shape \(4,\)"):
        _core.loss(kind, t, p, None, 4.0, np.empty(3, np.float32), None)
    with pytest.raises(ValueError, match="dtype float32"):
        _core.loss(kind, t, p, None, 4.0, None, np.empty((4, 3)))
    with pytest.raises(ValueError, match="2 dimensions"):
        _core.loss(kind, t, np.zeros(12, np.float32), None, 4.0, None, None)
    with pytest.raises(ValueError, match="share memory"):
        _core.loss(kind, t, p, None, 4.0, None, p)
    with pytest.raises(ValueError, match=r"`labels` to have shape \(4,\)"):
        _core.sparse_categorical_crossentropy(np.zeros(3, np.int64), p, True, None, 4.0, None, None)
    with pytest.raises(ValueError, match="exactly one of `y_true`"):
        _core.softmax_crossentropy(p, t, np.zeros(4, np.int64), 0.0, None, 4.0, None, None, None)
    with pytest.raises(ValueError, match="exactly one of `y_true`"):
        _core.softmax_crossentropy(p, None, None, 0.0, None, 4.0, None, None, None)
    grad = np.empty((4, 3), np.float32)
    with pytest.raises(ValueError, match="`probabilities` not to share memory with `grad`"):
        _core.softmax_crossentropy(p, t, None, 0.0, None, 4.0, None, grad, grad)


# ---- independent oracles: PyTorch, and real Keras 3 where it imports ----


def torch_loss(torch, name, t, p, options):
    """Per-sample values from torch.nn.functional, Keras's formulas where torch has no such loss."""
    F = torch.nn.functional
    eps = float(EPS)
    smoothing = options.get("label_smoothing", 0.0)
    if name == "mse":
        return F.mse_loss(p, t, reduction="none").mean(-1)
    if name == "mae":
        return F.l1_loss(p, t, reduction="none").mean(-1)
    if name.startswith("huber"):
        return F.huber_loss(p, t, reduction="none", delta=options.get("delta", 1.0)).mean(-1)
    if name.startswith("bce_logits"):
        return F.binary_cross_entropy_with_logits(p, t * (1 - smoothing) + 0.5 * smoothing, reduction="none").mean(-1)
    if name.startswith("bce"):
        clipped = torch.clamp(p, eps, 1 - eps)
        return F.binary_cross_entropy(clipped, t * (1 - smoothing) + 0.5 * smoothing, reduction="none").mean(-1)
    if name.startswith("cce_logits"):
        return F.cross_entropy(p, t, reduction="none", label_smoothing=smoothing)
    if name.startswith("cce"):
        q = torch.clamp(p / p.sum(-1, keepdim=True), eps, 1 - eps)
        target = t * (1 - smoothing) + smoothing / t.shape[-1]
        return -(target * torch.log(q)).sum(-1)
    if name == "sparse_logits":
        return F.cross_entropy(p, t, reduction="none")
    q = torch.clamp(p / p.sum(-1, keepdim=True), eps, 1 - eps)
    return F.nll_loss(torch.log(q), t, reduction="none")


@pytest.mark.parametrize("case", CASES, ids=repr)
def test_against_torch(rng, case):
    torch = pytest.importorskip("torch")
    y_true, y_pred = case.data(rng, 7, 10)
    weights = weights_for(rng, 7, True)
    p = torch.tensor(y_pred, requires_grad=True)
    t = torch.tensor(y_true)
    loss = (torch_loss(torch, case.name, t, p, case.options) * torch.tensor(weights)).sum() / 7
    loss.backward()
    ours, grad = case.call(y_true, y_pred, sample_weight=weights, gradient=True)
    assert ours == pytest.approx(loss.item(), rel=1e-5)
    assert_close(grad, p.grad.numpy())


def keras_loss(keras, name, options, reduction):
    classes = {
        "mse": keras.losses.MeanSquaredError,
        "mae": keras.losses.MeanAbsoluteError,
        "huber": keras.losses.Huber,
        "bce": keras.losses.BinaryCrossentropy,
        "cce": keras.losses.CategoricalCrossentropy,
        "sparse": keras.losses.SparseCategoricalCrossentropy,
    }
    return classes[name.split("_")[0]](reduction=reduction, **options)


@pytest.mark.parametrize("case", CASES, ids=repr)
@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum", "mean_with_sample_weight"])
def test_against_keras(keras, rng, case, reduction):
    import torch

    y_true, y_pred = case.data(rng, 7, 10)
    weights = weights_for(rng, 7, True)
    p = torch.tensor(y_pred, requires_grad=True)
    expected = keras_loss(keras, case.name, case.options, reduction)(
        torch.tensor(y_true), p, sample_weight=torch.tensor(weights)
    )
    expected.backward()
    ours, grad = case.call(y_true, y_pred, sample_weight=weights, reduction=reduction, gradient=True)
    assert ours == pytest.approx(expected.item(), rel=1e-5)
    assert_close(grad, p.grad.numpy())
    unreduced = keras_loss(keras, case.name, case.options, None)(y_true, y_pred).detach().numpy()
    assert_close(case.call(y_true, y_pred, reduction=None), unreduced)


@pytest.mark.parametrize(
    "t_shape, p_shape, w_shape",
    [
        ((7,), (7, 1), (7,)),
        ((7, 1), (7,), (7, 1)),
        ((7, 3), (7, 3), ()),
        ((7, 3), (7, 3), (7, 1)),
        # Rank-1 inputs: Keras's single loss value, broadcast over the weights or left unreduced.
        ((7,), (7,), (7,)),
        ((7,), (7,), ()),
        ((7,), (7,), (1,)),
    ],
)
@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "mean_with_sample_weight", None])
def test_shapes_and_weights_as_keras_takes_them(keras, rng, t_shape, p_shape, w_shape, reduction):
    y_true = rng.standard_normal(t_shape).astype(np.float32)
    y_pred = rng.standard_normal(p_shape).astype(np.float32)
    weights = rng.uniform(0.5, 2.0, w_shape).astype(np.float32)
    expected = keras.losses.MeanSquaredError(reduction=reduction)(y_true, y_pred, sample_weight=weights)
    ours = losses.mean_squared_error(y_true, y_pred, weights, reduction=reduction)
    assert np.shape(ours) == tuple(expected.shape)
    assert_close(ours, expected.detach().numpy())


def test_extreme_inputs_against_keras(keras):
    import torch

    for name, call, _, y_true, y_pred in extreme_cases():
        p = torch.tensor(y_pred, requires_grad=True)
        options = {"from_logits": True} if name.endswith("logits") else {}
        expected = keras_loss(keras, name, options, "sum_over_batch_size")(torch.tensor(y_true), p)
        expected.backward()
        ours, grad = call(y_true, y_pred, gradient=True)
        assert ours == pytest.approx(expected.item(), rel=1e-5), name
        assert_close(grad, p.grad.numpy())


# ----- robustness (issue 7): huge logits stay finite on every crossentropy path -------------------------

@pytest.mark.parametrize("big", [1e4, 1e30])
def test_softmax_sigmoid_and_crossentropies_stay_finite_for_huge_logits(big):
    logits = np.array([[big, -big, 0.0], [-big, -big, -big], [big, big, 0.0], [-big, 0.0, big]], np.float32)
    labels = np.array([1, 0, 2, 2])
    one_hot = np.eye(3, dtype=np.float32)[labels]
    probabilities = kernas.activations.softmax(logits)
    np.testing.assert_allclose(probabilities, ref.softmax(logits), atol=1e-7)
    assert np.isfinite(kernas.activations.sigmoid(logits)).all()
    checks = [
        (kernas.losses.CategoricalCrossentropy(from_logits=True), one_hot, logits),
        (kernas.losses.SparseCategoricalCrossentropy(from_logits=True), labels, logits),
        (kernas.losses.BinaryCrossentropy(from_logits=True), one_hot, logits),
        (kernas.losses.CategoricalCrossentropy(), one_hot, probabilities),
        (kernas.losses.SparseCategoricalCrossentropy(), labels, probabilities),
        (kernas.losses.BinaryCrossentropy(), one_hot, kernas.activations.sigmoid(logits)),
    ]
    for loss, y_true, y_pred in checks:
        value, grad = loss.value_and_gradient(y_true, y_pred)
        assert math.isfinite(value) and np.isfinite(grad).all(), loss
    # From logits the loss is exact: -log_softmax of the label (2 * big for row 0).
    expected, _ = ref.categorical_crossentropy_from_logits(one_hot, logits)
    np.testing.assert_allclose(checks[0][0](one_hot, logits), expected.mean(), rtol=1e-6)
    for sparse in (True, False):
        fused = losses.softmax_crossentropy(labels if sparse else one_hot, logits, sparse=sparse,
                                            with_probabilities=True)
        assert math.isfinite(fused.loss) and np.isfinite(fused.gradient).all()
        np.testing.assert_allclose(fused.loss, expected.mean(), rtol=1e-6)
        np.testing.assert_allclose(fused.probabilities, probabilities, atol=1e-7)


def test_training_step_with_saturated_softmax_stays_finite():
    # The fused softmax + crossentropy path of fit, on logits of about +-1e4.
    model = kernas.Sequential([kernas.Input(shape=(2,)), kernas.layers.Dense(3, activation="softmax")])
    model.set_weights([np.array([[1e4, -1e4, 0.0], [0.0, 1e4, -1e4]], np.float32), np.zeros(3, np.float32)])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    value = model.train_on_batch(np.array([[1.0, 0.0], [0.0, 1.0]], np.float32), np.array([2, 0]))
    assert math.isfinite(value)
    assert all(np.isfinite(w).all() for w in model.get_weights())


def test_fused_softmax_crossentropy_takes_targets_with_a_trailing_axis_of_one():
    logits = np.array([[2.0, 1.0, 0.1], [0.5, 0.5, 3.0]], np.float32)
    targets = np.eye(3, dtype=np.float32)[[0, 2]]
    flat = losses.softmax_crossentropy(targets, logits)
    trailing = losses.softmax_crossentropy(targets[:, :, None], logits)
    assert trailing.loss == flat.loss
    np.testing.assert_array_equal(trailing.gradient, flat.gradient)
