"""kernas.metrics against real Keras 3 (several weighted updates), the NumPy reference, and Keras's compile rules."""

import time
import warnings

import numpy as np
import pytest
from reference import metrics as ref

import kernas.losses as losses
import kernas.metrics as metrics


def _probs(rng, n, c):
    p = rng.uniform(0.01, 1, (n, c)).astype(np.float32)
    return p / p.sum(axis=1, keepdims=True)


def _binary(rng, n):
    return rng.integers(0, 2, (n, 1)).astype(np.float32), rng.uniform(0, 1, (n, 1)).astype(np.float32)


def _one_hot(rng, n):
    return np.eye(6, dtype=np.float32)[rng.integers(0, 6, n)], _probs(rng, n, 6)


def _sparse(rng, n):
    return rng.integers(0, 6, (n, 1)), _probs(rng, n, 6)


def _sparse_flat(rng, n):
    return rng.integers(0, 6, n), _probs(rng, n, 6)


def _regression(rng, n):
    return rng.standard_normal((n, 3)).astype(np.float32), rng.standard_normal((n, 3)).astype(np.float32)


def _exact(rng, n):
    return rng.integers(0, 3, (n, 1)).astype(np.float32), rng.integers(0, 3, (n, 1)).astype(np.float32)


def _multilabel(rng, n):
    return rng.integers(0, 2, (n, 4)).astype(np.float32), rng.uniform(0, 1, (n, 4)).astype(np.float32)


def _multilabel_logits(rng, n):
    return rng.integers(0, 2, (n, 4)).astype(np.float32), (2 * rng.standard_normal((n, 4))).astype(np.float32)


CASES = [
    ("Accuracy", {}, _exact),
    ("BinaryAccuracy", {}, _binary),
    ("BinaryAccuracy", {"threshold": 0.3}, _binary),
    ("CategoricalAccuracy", {}, _one_hot),
    ("SparseCategoricalAccuracy", {}, _sparse),
    ("SparseCategoricalAccuracy", {}, _sparse_flat),
    ("TopKCategoricalAccuracy", {}, _one_hot),
    ("TopKCategoricalAccuracy", {"k": 2}, _one_hot),
    ("SparseTopKCategoricalAccuracy", {"k": 2}, _sparse_flat),
    ("SparseTopKCategoricalAccuracy", {"k": 3}, _sparse),
    ("MeanSquaredError", {}, _regression),
    ("MeanAbsoluteError", {}, _regression),
    ("BinaryCrossentropy", {}, _multilabel),
    ("CategoricalCrossentropy", {"label_smoothing": 0.1}, _one_hot),
    ("SparseCategoricalCrossentropy", {}, _sparse_flat),
    ("Precision", {}, _binary),
    ("Precision", {"thresholds": [0.2, 0.5, 0.7]}, _multilabel),
    ("Precision", {"thresholds": [0.0, 0.5, 1.0]}, _multilabel),
    ("Precision", {"top_k": 2}, _multilabel),
    ("Precision", {"class_id": 2}, _multilabel),
    ("Precision", {"top_k": 2, "class_id": 1, "thresholds": 0.3}, _multilabel),
    ("Recall", {}, _binary),
    ("Recall", {"thresholds": [0.1, 0.6]}, _multilabel),
    ("Recall", {"top_k": 1}, _one_hot),
    ("Recall", {"class_id": 3}, _multilabel),
    ("AUC", {}, _binary),
    ("AUC", {"num_thresholds": 7}, _multilabel),
    ("AUC", {"curve": "PR"}, _binary),
    ("AUC", {"curve": "pr", "summation_method": "majoring"}, _binary),
    ("AUC", {"summation_method": "minoring"}, _multilabel),
    ("AUC", {"curve": "PRGAIN"}, _binary),
    ("AUC", {"thresholds": [0.1, 0.35, 0.8]}, _binary),
    ("AUC", {"multi_label": True}, _multilabel),
    ("AUC", {"multi_label": True, "curve": "PR", "label_weights": [1, 2, 0, 1]}, _multilabel),
    ("AUC", {"label_weights": [1, 2, 0.5, 1]}, _multilabel),
    ("AUC", {"from_logits": True, "num_thresholds": 50}, _multilabel_logits),
]
IDS = [f"{c[0]}-{c[1]}" for c in CASES]


def _numpy(x):
    return x.detach().cpu().numpy() if hasattr(x, "detach") else np.asarray(x)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_metrics_match_keras_over_several_updates(keras, rng, case, weighted):
    class_name, kwargs, data = case
    ours = getattr(metrics, class_name)(**kwargs)
    theirs = getattr(keras.metrics, class_name)(**kwargs)
    for n in (5, 16, 9):
        y_true, y_pred = data(rng, n)
        weights = rng.uniform(0, 2, n).astype(np.float32) if weighted else None
        ours.update_state(y_true, y_pred, sample_weight=weights)
        theirs.update_state(y_true, y_pred, sample_weight=weights)
        np.testing.assert_allclose(ours.result(), _numpy(theirs.result()), rtol=1e-5, atol=1e-6)
    assert np.any(np.asarray(ours.result()) != 0)  # a value worth comparing
    ours.reset_state()
    theirs.reset_state()
    np.testing.assert_allclose(ours.result(), _numpy(theirs.result()), atol=0)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_configs_equal_keras_and_round_trip(keras, case):
    class_name, kwargs, _ = case
    ours = getattr(metrics, class_name)(name="m", **kwargs)
    theirs = getattr(keras.metrics, class_name)(name="m", **kwargs)
    expected = theirs.get_config()
    if expected.get("label_weights") is not None:
        expected["label_weights"] = _numpy(expected["label_weights"]).tolist()
    assert ours.get_config() == expected
    again = metrics.deserialize(metrics.serialize(ours))
    assert type(again) is type(ours) and again.get_config() == ours.get_config()
    serialized = keras.metrics.serialize(theirs)
    assert metrics.serialize(ours) == {**serialized, "config": ours.get_config()}


def test_default_names_match_keras(keras):
    for class_name in ("Accuracy", "BinaryAccuracy", "CategoricalAccuracy", "SparseCategoricalAccuracy",
                       "TopKCategoricalAccuracy", "SparseTopKCategoricalAccuracy", "MeanSquaredError",
                       "MeanAbsoluteError", "Mean", "Sum", "BinaryCrossentropy", "CategoricalCrossentropy",
                       "SparseCategoricalCrossentropy"):
        assert getattr(metrics, class_name)().name == getattr(keras.metrics, class_name)().name
    # Unnamed confusion metrics are made unique, as Keras makes them.
    first, second = metrics.AUC(), metrics.AUC()
    assert first.name.startswith("auc") and second.name != first.name
    assert metrics.Precision().name.startswith("precision") and metrics.Recall().name.startswith("recall")


@pytest.mark.parametrize("class_name", ["Mean", "Sum"])
def test_mean_and_sum_match_keras(keras, rng, class_name):
    ours, theirs = getattr(metrics, class_name)(), getattr(keras.metrics, class_name)()
    for values, weights in [
        (rng.standard_normal(5), None),
        (rng.standard_normal((4, 3)), rng.uniform(0, 2, 4)),
        (rng.standard_normal((3, 2)), rng.uniform(0, 2, (3, 2))),
        (rng.standard_normal((6, 1)), rng.uniform(0, 2, 6)),
        (rng.standard_normal((2, 3, 2)), None),
        (2.5, None),
    ]:
        ours.update_state(values, sample_weight=weights)
        theirs.update_state(np.asarray(values, np.float32), sample_weight=weights)
        np.testing.assert_allclose(ours.result(), _numpy(theirs.result()), rtol=1e-5)


def test_against_numpy_reference(rng):
    y_true, y_pred = _multilabel(rng, 40)
    weights = rng.uniform(0, 2, 40)
    thresholds = [0.25, 0.5, 0.75]
    precision, recall = metrics.Precision(thresholds=thresholds), metrics.Recall(thresholds=thresholds)
    precision.update_state(y_true, y_pred, weights)
    recall.update_state(y_true, y_pred, weights)
    for i, t in enumerate(thresholds):
        tp, fp, _, fn = ref.confusion_at(y_true, y_pred, t, weights)
        np.testing.assert_allclose(precision.result()[i], tp / (tp + fp), rtol=1e-6)
        np.testing.assert_allclose(recall.result()[i], tp / (tp + fn), rtol=1e-6)
    auc = metrics.AUC(thresholds=[0.2, 0.4, 0.6, 0.8])
    auc.update_state(y_true, y_pred, weights)
    expected = ref.roc_auc(y_true, y_pred, [-1e-7, 0.2, 0.4, 0.6, 0.8, 1 + 1e-7], weights)
    np.testing.assert_allclose(auc.result(), expected, rtol=1e-6)
    acc = metrics.SparseCategoricalAccuracy()
    labels, probs = _sparse_flat(rng, 30)
    acc.update_state(labels, probs, weights[:30])
    np.testing.assert_allclose(acc.result(), ref.weighted_mean(probs.argmax(1) == labels, weights[:30]), rtol=1e-6)


def test_metric_functions_match_keras(keras, rng):
    y_true, y_pred = _one_hot(rng, 9)
    labels = y_true.argmax(1)
    for name, args in [
        ("categorical_accuracy", (y_true, y_pred)),
        ("sparse_categorical_accuracy", (labels, y_pred)),
        ("top_k_categorical_accuracy", (y_true, y_pred)),
        ("sparse_top_k_categorical_accuracy", (labels, y_pred)),
        ("binary_accuracy", _binary(rng, 9)),
    ]:
        ours = getattr(metrics, name)(*args)
        theirs = _numpy(getattr(keras.metrics, name)(*args))
        assert ours.dtype == np.float32 and ours.shape == theirs.shape
        np.testing.assert_array_equal(ours, theirs)
    ids = np.argsort(-y_pred, axis=1)
    np.testing.assert_array_equal(
        metrics.sparse_top_k_categorical_accuracy(labels, ids, k=2, from_sorted_ids=True),
        _numpy(keras.metrics.sparse_top_k_categorical_accuracy(labels, ids, k=2, from_sorted_ids=True)))


SHAPES = [
    ((8, 1), (8, 1)),
    ((8,), (8, 1)),
    ((8,), (8, 5)),
    ((8, 1), (8, 5)),
    ((8, 5), (8, 5)),
    ((8, 3), (8, 3)),
]


@pytest.mark.parametrize("true_shape, pred_shape", SHAPES)
@pytest.mark.parametrize("identifier", ["accuracy", "acc", "Accuracy", "ACC"])
def test_resolve_accuracy_like_keras_compile(keras, identifier, true_shape, pred_shape):
    from keras.src.trainers.compile_utils import get_metric

    y_true, y_pred = np.zeros(true_shape), np.zeros(pred_shape)
    ours = metrics.resolve(identifier, y_true, y_pred, losses.get("mse"))
    theirs = get_metric(identifier, y_true, y_pred)
    assert type(ours).__name__ == type(theirs).__name__
    assert ours.name == theirs.name == identifier


@pytest.mark.parametrize("identifier", ["mse", "mae", "MSE", "auc", "precision", "binary_accuracy",
                                        "categorical_crossentropy", "AUC", "MeanSquaredError"])
def test_resolve_names_like_keras_compile(keras, identifier):
    from keras.src.trainers.compile_utils import get_metric

    y = np.zeros((4, 1))
    ours, theirs = metrics.resolve(identifier, y, y, None), get_metric(identifier, y, y)
    assert type(ours).__name__ == type(theirs).__name__ and ours.name == theirs.name == identifier


def test_resolve_functions_and_instances_like_keras_compile(keras):
    from keras.src.trainers.compile_utils import get_metric

    y = np.zeros((4, 1))
    ours = metrics.resolve(metrics.binary_accuracy, y, y, None)
    theirs = get_metric(keras.metrics.binary_accuracy, y, y)
    assert isinstance(ours, metrics.MeanMetricWrapper) and ours.name == theirs.name == "binary_accuracy"
    auc = metrics.AUC(name="my_auc")
    assert metrics.resolve(auc, y, y, None) is auc and auc.name == "my_auc"


@pytest.mark.parametrize("true_shape, pred_shape, expected", [
    ((8, 1), (8, 1), metrics.BinaryCrossentropy),
    ((8,), (8, 5), metrics.SparseCategoricalCrossentropy),
    ((8, 5), (8, 5), metrics.CategoricalCrossentropy),
])
def test_resolve_crossentropy_follows_the_loss_logits(true_shape, pred_shape, expected):
    y_true, y_pred = np.zeros(true_shape), np.zeros(pred_shape)
    metric = metrics.resolve("ce", y_true, y_pred, None)
    assert type(metric) is expected and metric.name == "ce" and metric.from_logits is False
    loss = losses.resolve("ce", y_true, y_pred)
    logits_loss = type(loss)(from_logits=True)
    assert metrics.resolve("crossentropy", y_true, y_pred, logits_loss).from_logits is True


def test_get_variants():
    assert isinstance(metrics.get("accuracy"), metrics.Accuracy)
    assert metrics.get("mse").name == "mean_squared_error"
    assert isinstance(metrics.get({"class_name": "AUC", "config": {"curve": "PR"}}), metrics.AUC)
    assert isinstance(metrics.get(metrics.Recall), metrics.Recall)
    assert metrics.get(None) is None

    def hits(y_true, y_pred):
        return np.asarray(y_true) == np.asarray(y_pred)

    custom = metrics.get(hits)
    assert custom.name == "hits"
    custom.update_state([1, 2, 3, 4], [1, 0, 3, 4], sample_weight=[1, 1, 0, 2])
    assert custom.result() == pytest.approx(0.75)
    wrapper = metrics.MeanMetricWrapper(losses.mean_squared_error, name="w")
    assert metrics.deserialize(metrics.serialize(wrapper)).get_config() == wrapper.get_config()


def test_mean_metric_wrapper_config_matches_keras(keras):
    ours = metrics.MeanMetricWrapper(losses.mean_squared_error, name="w")
    theirs = keras.metrics.MeanMetricWrapper(keras.losses.mean_squared_error, name="w")
    assert ours.get_config() == theirs.get_config()


def test_variables_carry_keras_names():
    auc = metrics.AUC(num_thresholds=5, name="a")
    auc.update_state([0, 1], [0.2, 0.9])
    names = [v.path for v in auc.variables]
    assert names == ["a/true_positives", "a/false_positives", "a/true_negatives", "a/false_negatives"]
    assert auc.variables[0].shape == (5,) and auc.variables[0].numpy()[0] == 1.0
    assert [v.name for v in metrics.Mean().variables] == ["total", "count"]


def test_bad_arguments_and_identifiers_are_refused():
    with pytest.raises(ValueError, match=r"Unknown metric: 'acuracy'.*accuracy"):
        metrics.get("acuracy")
    with pytest.raises(ValueError, match="Expected a metric"):
        metrics.resolve(None, np.zeros(2), np.zeros(2))
    with pytest.raises(ValueError, match=r"thresholds in \[0, 1\]"):
        metrics.Precision(thresholds=[0.5, 1.5])
    with pytest.raises(ValueError, match="top_k"):
        metrics.Recall(top_k=0)
    with pytest.raises(ValueError, match="class_id below"):
        metrics.Precision(class_id=7).update_state(np.zeros((2, 3)), np.zeros((2, 3)))
    with pytest.raises(ValueError, match="curve"):
        metrics.AUC(curve="DET")
    with pytest.raises(ValueError, match="summation_method"):
        metrics.AUC(summation_method="trapezoid")
    with pytest.raises(ValueError, match="num_thresholds"):
        metrics.AUC(num_thresholds=1)
    with pytest.raises(ValueError, match="num_labels only with multi_label"):
        metrics.AUC(num_labels=3)
    with pytest.raises(ValueError, match="positive integer"):
        metrics.TopKCategoricalAccuracy(k=0)
    with pytest.raises(ValueError, match="float32"):
        metrics.Mean(dtype="float16")
    with pytest.raises(ValueError, match="ignore_class=None"):
        metrics.SparseCategoricalCrossentropy(ignore_class=0)
    with pytest.raises(ValueError, match=r"1-indexed"):
        metrics.SparseCategoricalCrossentropy().update_state([1, 2, 3], np.full((3, 3), 1 / 3))


def test_update_overhead_is_reported(rng, capsys):
    """Not a timed assertion: prints the per-update cost of the per-step metrics for a (32, 10) batch."""
    labels, probs = rng.integers(0, 10, 32), _probs(rng, 32, 10)
    one_hot = np.eye(10, dtype=np.float32)[labels]
    for metric, y_true in [(metrics.SparseCategoricalAccuracy(), labels), (metrics.CategoricalAccuracy(), one_hot),
                           (metrics.AUC(), one_hot)]:
        start = time.perf_counter()
        for _ in range(200):
            metric.update_state(y_true, probs)
        with capsys.disabled():
            print(f"\n{type(metric).__name__}: {(time.perf_counter() - start) / 200 * 1e6:.1f} us per update")
        assert 0.0 <= metric.result() <= 1.0


def test_numpy_float32_dtype_is_accepted_like_layers_accept_it():
    assert metrics.Mean(dtype=np.float32).dtype == "float32"
    with pytest.raises(ValueError, match="float32"):
        metrics.Mean(dtype="float16")


# ----- robustness (issue 7): malformed labels give a ValueError/TypeError naming the problem -----------------

def test_top_k_accuracies_refuse_labels_that_would_index_out_of_bounds():
    scores = np.random.default_rng(0).random((4, 3))
    # Before: IndexError from np.take_along_axis.
    with pytest.raises(ValueError, match=r"Expected class indices in \[0, 3\)"):
        metrics.SparseTopKCategoricalAccuracy(k=1).update_state([0, 1, 5, 2], scores)
    with pytest.raises(ValueError, match="one class index per row"):
        metrics.SparseTopKCategoricalAccuracy(k=1).update_state(np.eye(3)[[0, 1, 2, 1]], scores)
    with pytest.raises(ValueError, match="integer class indices"):
        metrics.SparseTopKCategoricalAccuracy(k=1).update_state([0.5, 1, 2, 1], scores)
    with pytest.raises(ValueError, match="one-hot y_true shaped like y_pred"):
        metrics.TopKCategoricalAccuracy(k=1).update_state(np.eye(5)[[0, 1, 2, 3]], scores)
    with pytest.raises(ValueError, match="Expected y_pred of shape"):
        metrics.SparseCategoricalAccuracy().update_state(1.0, 0.5)


def test_accuracies_refuse_strings_and_incompatible_shapes_with_a_message():
    scores = np.random.default_rng(0).random((4, 3))
    one_hot = np.eye(3)[[0, 1, 2, 1]]
    # Before: strings compared unequal to numbers, a silent accuracy of 0.
    with pytest.raises(TypeError, match="Expected `y_true` to hold real numbers"):
        metrics.Accuracy().update_state(one_hot.astype(str), scores)
    # Before: NumPy's "operands could not be broadcast together".
    with pytest.raises(ValueError, match="Expected class indices y_true and y_pred's rows of compatible shapes"):
        metrics.SparseCategoricalAccuracy().update_state(one_hot, scores)
    with pytest.raises(ValueError, match="sparse_categorical_accuracy"):
        metrics.CategoricalAccuracy().update_state([0, 1, 2, 1], scores)
    with pytest.raises(ValueError, match="Expected sample_weight to hold one weight per sample"):
        metrics.MeanSquaredError().update_state(one_hot, scores, sample_weight=np.ones(3))
    with pytest.raises(TypeError, match="real numbers"):
        metrics.Mean().update_state(np.array(["1", "2"]))


def test_auc_counts_nan_predictions_as_negatives_without_an_invalid_cast():
    metric = metrics.AUC(num_thresholds=11)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # before: RuntimeWarning "invalid value encountered in cast"
        metric.update_state([1, 0, 1, 0], [0.9, np.nan, np.nan, 0.2])
    twin = metrics.AUC(num_thresholds=11)
    twin.update_state([1, 0, 1, 0], [0.9, 0.0, 0.0, 0.2])
    assert metric.result() == twin.result()
