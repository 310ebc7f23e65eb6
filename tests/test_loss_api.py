"""kernas.losses (classes, functions, get/serialize) against real Keras 3 and finite differences."""

import numpy as np
import pytest

import kernas.losses as losses
from kernas.ops import losses as loss_ops

REDUCTIONS = ["sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", None, "none"]


def _regression(rng):
    t = rng.standard_normal((7, 5)).astype(np.float32)
    return t, (t + rng.uniform(0.1, 2.0, (7, 5)) * rng.choice([-1, 1], (7, 5))).astype(np.float32)


def _binary(rng):
    return rng.integers(0, 2, (7, 3)).astype(np.float32), rng.uniform(0.05, 0.95, (7, 3)).astype(np.float32)


def _binary_logits(rng):
    return rng.integers(0, 2, (7, 3)).astype(np.float32), (2 * rng.standard_normal((7, 3))).astype(np.float32)


def _categorical(rng):
    return np.eye(4, dtype=np.float32)[rng.integers(0, 4, 7)], rng.uniform(0.1, 1.0, (7, 4)).astype(np.float32)


def _categorical_logits(rng):
    return np.eye(4, dtype=np.float32)[rng.integers(0, 4, 7)], (2 * rng.standard_normal((7, 4))).astype(np.float32)


def _sparse(rng):
    return rng.integers(0, 4, 7), rng.uniform(0.1, 1.0, (7, 4)).astype(np.float32)


def _sparse_logits(rng):
    return rng.integers(0, 4, 7), (2 * rng.standard_normal((7, 4))).astype(np.float32)


# (class name, kwargs, data, Keras function name)
CASES = [
    ("MeanSquaredError", {}, _regression, "mean_squared_error"),
    ("MeanAbsoluteError", {}, _regression, "mean_absolute_error"),
    ("Huber", {}, _regression, "huber"),
    ("Huber", {"delta": 0.5}, _regression, "huber"),
    ("BinaryCrossentropy", {}, _binary, "binary_crossentropy"),
    ("BinaryCrossentropy", {"label_smoothing": 0.2}, _binary, "binary_crossentropy"),
    ("BinaryCrossentropy", {"from_logits": True}, _binary_logits, "binary_crossentropy"),
    ("BinaryCrossentropy", {"from_logits": True, "label_smoothing": 0.1}, _binary_logits, "binary_crossentropy"),
    ("CategoricalCrossentropy", {}, _categorical, "categorical_crossentropy"),
    ("CategoricalCrossentropy", {"label_smoothing": 0.3}, _categorical, "categorical_crossentropy"),
    ("CategoricalCrossentropy", {"from_logits": True}, _categorical_logits, "categorical_crossentropy"),
    ("SparseCategoricalCrossentropy", {}, _sparse, "sparse_categorical_crossentropy"),
    ("SparseCategoricalCrossentropy", {"from_logits": True}, _sparse_logits, "sparse_categorical_crossentropy"),
]
IDS = [f"{c[0]}-{c[1]}" for c in CASES]


def _numpy(x):
    return x.detach().cpu().numpy() if hasattr(x, "detach") else np.asarray(x)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_loss_classes_match_keras(keras, rng, case, reduction, weighted):
    class_name, kwargs, data, _ = case
    y_true, y_pred = data(rng)
    weights = rng.uniform(0.0, 2.0, len(y_pred)).astype(np.float32) if weighted else None
    ours = getattr(losses, class_name)(reduction=reduction, **kwargs)
    theirs = getattr(keras.losses, class_name)(reduction=reduction, **kwargs)
    expected = _numpy(theirs(y_true, y_pred, sample_weight=weights))
    np.testing.assert_allclose(ours(y_true, y_pred, sample_weight=weights), expected, rtol=2e-5, atol=1e-6)
    if reduction in (None, "none"):
        with pytest.raises(ValueError, match="reducing `reduction`"):
            ours.value_and_gradient(y_true, y_pred, weights)
        return
    # The gradient against torch autograd through Keras's own loss.
    torch = pytest.importorskip("torch")
    x = torch.tensor(y_pred, requires_grad=True)
    theirs(torch.tensor(y_true), x, sample_weight=None if weights is None else torch.tensor(weights)).backward()
    value, grad = ours.value_and_gradient(y_true, y_pred, weights)
    assert grad.dtype == np.float32 and grad.shape == y_pred.shape
    np.testing.assert_allclose(value, expected, rtol=2e-5, atol=1e-6)
    np.testing.assert_allclose(grad, x.grad.numpy(), rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_gradients_match_finite_differences(rng, case):
    class_name, kwargs, data, _ = case
    y_true, y_pred = data(rng)
    weights = rng.uniform(0.5, 2.0, len(y_pred))
    loss = getattr(losses, class_name)(**kwargs)
    _, grad = loss.value_and_gradient(y_true, y_pred, weights)
    step = 1e-3
    numeric = np.zeros(y_pred.shape)
    for index in np.ndindex(y_pred.shape):
        hi, lo = y_pred.astype(np.float64), y_pred.astype(np.float64)
        hi[index] += step
        lo[index] -= step
        numeric[index] = (loss(y_true, hi, weights) - loss(y_true, lo, weights)) / (2 * step)
    np.testing.assert_allclose(grad, numeric, rtol=2e-2, atol=2e-4)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_functions_match_keras(keras, rng, case):
    _, kwargs, data, function_name = case
    y_true, y_pred = data(rng)
    ours = getattr(losses, function_name)(y_true, y_pred, **kwargs)
    theirs = _numpy(getattr(keras.losses, function_name)(y_true, y_pred, **kwargs))
    assert ours.shape == theirs.shape == (7,)
    np.testing.assert_allclose(ours, theirs, rtol=2e-5, atol=1e-6)


def test_trailing_one_labels_and_rank_one_inputs_match_keras(keras, rng):
    y_true = rng.integers(0, 2, (6, 1)).astype(np.float32)
    y_pred = rng.uniform(0.1, 0.9, 6).astype(np.float32)
    for name in ("MeanSquaredError", "BinaryCrossentropy"):
        expected = _numpy(getattr(keras.losses, name)()(y_true, y_pred))
        np.testing.assert_allclose(getattr(losses, name)()(y_true, y_pred), expected, rtol=1e-5)
        np.testing.assert_allclose(getattr(losses, name)()(y_pred, y_true[:, 0]), _numpy(
            getattr(keras.losses, name)()(y_pred, y_true[:, 0])), rtol=1e-5)
    labels = rng.integers(0, 4, (6, 1))
    probs = rng.uniform(0.1, 1, (6, 4)).astype(np.float32)
    np.testing.assert_allclose(losses.SparseCategoricalCrossentropy()(labels, probs),
                               _numpy(keras.losses.SparseCategoricalCrossentropy()(labels, probs)), rtol=1e-5)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_configs_equal_keras_and_round_trip(keras, case):
    class_name, kwargs, _, _ = case
    ours = getattr(losses, class_name)(reduction="sum", name="custom", **kwargs)
    theirs = getattr(keras.losses, class_name)(reduction="sum", name="custom", **kwargs)
    config = ours.get_config()
    expected = theirs.get_config()
    if class_name == "Huber":
        # Keras 3 drops delta from the config; kernas keeps it so the round trip keeps the loss.
        assert config.pop("delta") == kwargs.get("delta", 1.0)
    assert config == expected
    again = type(ours).from_config(ours.get_config())
    assert again.get_config() == ours.get_config()
    assert losses.serialize(ours) == {**keras.losses.serialize(theirs), "config": ours.get_config()}
    assert losses.deserialize(losses.serialize(ours)).get_config() == ours.get_config()
    assert getattr(losses, class_name)().name == getattr(keras.losses, class_name)().name


def test_get_names_like_keras_compile():
    assert isinstance(losses.get("mse"), losses.MeanSquaredError) and losses.get("mse").name == "mse"
    assert losses.get("MAE").name == "MAE"
    assert isinstance(losses.get("bce"), losses.BinaryCrossentropy)
    assert losses.get("MeanSquaredError").name == "mean_squared_error"
    assert losses.get("Huber").name == "huber_loss"
    assert losses.get("huber").name == "huber"
    assert losses.get("categorical_crossentropy").name == "categorical_crossentropy"
    loss = losses.get(losses.sparse_categorical_crossentropy)
    assert isinstance(loss, losses.SparseCategoricalCrossentropy) and loss.name == "sparse_categorical_crossentropy"
    same = losses.Huber(delta=2.0)
    assert losses.get(same) is same
    assert isinstance(losses.get(losses.MeanAbsoluteError), losses.MeanAbsoluteError)
    config = {"class_name": "CategoricalCrossentropy", "config": {"from_logits": True}}
    assert losses.get(config).from_logits is True
    assert losses.get(None) is None
    function_config = {"module": "builtins", "class_name": "function", "config": "mean_squared_error",
                       "registered_name": "function"}
    assert losses.serialize(losses.mean_squared_error) == function_config
    assert isinstance(losses.deserialize(function_config), losses.MeanSquaredError)


def test_serialized_function_matches_keras(keras):
    assert losses.serialize(losses.mean_squared_error) == keras.losses.serialize(keras.losses.mean_squared_error)


def test_get_refuses_unknown_names_and_gradientless_callables():
    with pytest.raises(ValueError, match=r"Unknown loss: 'msee'.*mean_squared_error.*mse"):
        losses.get("msee")
    with pytest.raises(TypeError, match=r"gradient.*subclass kernas\.losses\.Loss with `call\(.*`gradient\("):
        losses.get(lambda y_true, y_pred: (y_true - y_pred) ** 2)
    with pytest.raises(ValueError, match="Could not interpret loss identifier"):
        losses.get(3)
    with pytest.raises(ValueError, match="Unknown loss class"):
        losses.deserialize({"class_name": "Poisson", "config": {}})


@pytest.mark.parametrize("y_true, y_pred, expected", [
    (np.zeros((4, 1)), np.zeros((4, 1)), losses.BinaryCrossentropy),
    (np.zeros(4), np.zeros((4, 1)), losses.BinaryCrossentropy),
    (np.zeros(4), np.zeros((4, 3)), losses.SparseCategoricalCrossentropy),
    (np.zeros((4, 1)), np.zeros((4, 3)), losses.SparseCategoricalCrossentropy),
    (np.zeros((4, 3)), np.zeros((4, 3)), losses.CategoricalCrossentropy),
])
@pytest.mark.parametrize("identifier", ["crossentropy", "ce", "CE"])
def test_resolve_crossentropy_like_keras_compile(keras, identifier, y_true, y_pred, expected):
    from keras.src.trainers.compile_utils import get_loss

    ours = losses.resolve(identifier, y_true, y_pred)
    theirs = get_loss(identifier, y_true, y_pred)
    assert type(ours) is expected and ours.name == theirs.name == identifier
    assert theirs.fn.__name__ == {
        losses.BinaryCrossentropy: "binary_crossentropy",
        losses.SparseCategoricalCrossentropy: "sparse_categorical_crossentropy",
        losses.CategoricalCrossentropy: "categorical_crossentropy",
    }[expected]
    assert losses.resolve("mse", y_true, y_pred).name == "mse"


def test_fused_softmax_kind_and_label_smoothing():
    assert losses.CategoricalCrossentropy().fused_softmax_kind() == "categorical"
    assert losses.CategoricalCrossentropy(from_logits=True).fused_softmax_kind() is None
    assert losses.SparseCategoricalCrossentropy().fused_softmax_kind() == "sparse"
    assert losses.SparseCategoricalCrossentropy(from_logits=True).fused_softmax_kind() is None
    for loss in (losses.MeanSquaredError(), losses.BinaryCrossentropy(), losses.Huber()):
        assert loss.fused_softmax_kind() is None
    assert losses.CategoricalCrossentropy(label_smoothing=0.1).label_smoothing == 0.1
    assert losses.SparseCategoricalCrossentropy().label_smoothing == 0.0


def test_fused_path_matches_the_loss(rng):
    y_true, _ = _categorical(rng)
    logits = rng.standard_normal((7, 4)).astype(np.float32)
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    loss = losses.CategoricalCrossentropy(label_smoothing=0.1, reduction="sum")
    fused = loss_ops.softmax_crossentropy(y_true, logits, label_smoothing=loss.label_smoothing,
                                          reduction=loss.reduction)
    np.testing.assert_allclose(fused.loss, loss(y_true, probs), rtol=1e-5)


@pytest.mark.parametrize("identifier", ["categorical_crossentropy", "CategoricalCrossentropy"])
@pytest.mark.parametrize("labels_shape", [(8,), (8, 1)])
def test_integer_labels_to_categorical_crossentropy_name_both_fixes(identifier, labels_shape):
    loss = losses.get(identifier)
    labels = (np.arange(8) % 10).reshape(labels_shape)
    message = (r"for categorical_crossentropy.*kernas\.utils\.to_categorical\(y_true, num_classes=10\).*"
               r"sparse_categorical_crossentropy \(kernas\.losses\.SparseCategoricalCrossentropy\)")
    with pytest.raises(ValueError, match=message):
        loss(labels, np.full((8, 10), 0.1))
    with pytest.raises(ValueError, match=message):
        loss.value_and_gradient(labels, np.full((8, 10), 0.1))
    with pytest.raises(ValueError, match=message):
        losses.categorical_crossentropy(labels, np.full((8, 10), 0.1))
    # The model's fused path says the same, plus its own spelling.
    with pytest.raises(ValueError, match=message + r".*sparse=True"):
        loss_ops.softmax_crossentropy(labels, np.zeros((8, 10)))


def test_out_of_range_sparse_labels_name_range_value_and_one_indexed_hint():
    probs = np.full((4, 3), 1 / 3)
    loss = losses.get("sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match=r"\[0, 3\).*label 3 at position 2\. The labels run from 1 to 3, so they "
                                         r"look 1-indexed: pass y_true - 1\."):
        loss(np.array([1, 2, 3, 1]), probs)
    with pytest.raises(ValueError, match=r"label 7 at position 0\. Check that y_pred's last dimension"):
        loss.value_and_gradient(np.array([7, 2, 1, 1]), probs)
    with pytest.raises(ValueError, match=r"label -1 at position 3\. Check"):
        losses.sparse_categorical_crossentropy(np.array([1, 2, 1, -1]), probs)


def test_unsupported_arguments_are_refused():
    with pytest.raises(ValueError, match=r"axis=-1.*Received: axis=1"):
        losses.CategoricalCrossentropy(axis=1)
    with pytest.raises(ValueError, match=r"ignore_class=None.*sample_weight=0"):
        losses.SparseCategoricalCrossentropy(ignore_class=255)
    with pytest.raises(ValueError, match="float32"):
        losses.MeanSquaredError(dtype="float64")
    with pytest.raises(ValueError, match="reduction"):
        losses.MeanSquaredError(reduction="avg")
    with pytest.raises(ValueError, match="label_smoothing"):
        losses.BinaryCrossentropy(label_smoothing=1.5)
    with pytest.raises(TypeError, match="from_logits"):
        losses.BinaryCrossentropy(from_logits="yes")
    with pytest.raises(ValueError, match="delta"):
        losses.Huber(delta=0)


class MeanCubedError(losses.Loss):
    def call(self, y_true, y_pred):
        return np.mean((y_pred - y_true) ** 3, axis=-1)

    def gradient(self, y_true, y_pred):
        return 3 * (y_pred - y_true) ** 2 / y_pred.shape[-1]


@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum", "mean_with_sample_weight"])
def test_subclassed_loss_reduces_value_and_gradient(rng, reduction):
    loss = MeanCubedError(reduction=reduction)
    assert loss.name.startswith("mean_cubed_error")
    y_true, y_pred = _regression(rng)
    weights = rng.uniform(0.5, 2.0, 7)
    per_sample = np.mean((y_pred.astype(np.float64) - y_true) ** 3, axis=-1) * weights
    divisor = {"sum": 1.0, "sum_over_batch_size": 7.0, "mean_with_sample_weight": weights.sum()}[reduction]
    value, grad = loss.value_and_gradient(y_true, y_pred, weights)
    np.testing.assert_allclose(value, per_sample.sum() / divisor, rtol=1e-5)
    assert value == pytest.approx(loss(y_true, y_pred, weights))
    step = 1e-3
    numeric = np.zeros(y_pred.shape)
    for index in np.ndindex(y_pred.shape):
        hi, lo = y_pred.astype(np.float64), y_pred.astype(np.float64)
        hi[index] += step
        lo[index] -= step
        numeric[index] = (loss(y_true, hi, weights) - loss(y_true, lo, weights)) / (2 * step)
    np.testing.assert_allclose(grad, numeric, rtol=1e-3, atol=1e-5)
    assert losses.get(MeanCubedError).name.startswith("mean_cubed_error")


def test_subclass_without_gradient_says_how():
    class NoGradient(losses.Loss):
        def call(self, y_true, y_pred):
            return np.abs(y_pred - y_true).sum(axis=-1)

    assert NoGradient()(np.zeros((2, 2)), np.ones((2, 2))) == 2.0
    with pytest.raises(NotImplementedError, match="automatic differentiation"):
        NoGradient().value_and_gradient(np.zeros((2, 2)), np.ones((2, 2)))


def test_builtin_call_and_gradient_are_per_sample(rng):
    y_true, y_pred = _categorical(rng)
    loss = losses.CategoricalCrossentropy()
    np.testing.assert_allclose(loss.call(y_true, y_pred), losses.categorical_crossentropy(y_true, y_pred))
    _, grad = losses.CategoricalCrossentropy(reduction="sum").value_and_gradient(y_true, y_pred)
    np.testing.assert_allclose(loss.gradient(y_true, y_pred), grad)


def test_custom_loss_on_a_single_sample_reduces_like_keras():
    class Cube(losses.Loss):
        def call(self, y_true, y_pred):
            return np.mean((y_pred - y_true) ** 3, axis=-1)

        def gradient(self, y_true, y_pred):
            return 3 * (y_pred - y_true) ** 2 / y_pred.shape[-1]

    value, grad = Cube().value_and_gradient(np.zeros(3), np.ones(3))
    assert value == pytest.approx(1.0) and np.allclose(grad, 1.0)
    assert Cube()(np.zeros(3), np.ones(3), sample_weight=2.0) == pytest.approx(2.0)
