"""Property-based fuzzing of the training objects: optimizers, schedules, losses, metrics and regularizers.

Constructors get random arguments (valid, zero, negative, NaN, inf, huge,
strings, bools) and the objects are then called with random arrays (shapes,
dtypes, awkward layouts, NaN/inf). Every case either works and agrees with
the NumPy references in tests/reference, or raises a ValueError/TypeError
that says what was expected (``assert_informative``).
"""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import kernas
from fuzz_checks import refused as _refused
from fuzz_strategies import arrays_of_any_dtype, awkward_views, rarely
from kernas.backend import Variable
from reference import losses as ref_losses
from reference import optimizers as ref_optimizers

pytestmark = pytest.mark.fuzz

NAN, INF = float("nan"), float("inf")
ODD_VALUES = (0.0, -1.0, NAN, INF, -INF, 1e30, 3e39, 1e-30, 1.0, 2.0, "0.1", True, None, 1, [0.1], np.float64(0.5))




def odd_or(valid, percent=30):
    return rarely(valid, st.sampled_from(ODD_VALUES), percent)


# ----- optimizers: one step against the float32 reference -----------------------------------------------

OPTIMIZER_SPACE = {
    "SGD": {"momentum": st.floats(0, 1), "nesterov": st.booleans()},
    "Adam": {"beta_1": st.floats(0, 0.999), "beta_2": st.floats(0, 0.9999), "epsilon": st.floats(1e-8, 1e-2),
             "amsgrad": st.booleans()},
    "AdamW": {"beta_1": st.floats(0, 0.999), "beta_2": st.floats(0, 0.9999), "amsgrad": st.booleans()},
    "RMSprop": {"rho": st.floats(0, 0.99), "momentum": st.floats(0, 1), "epsilon": st.floats(1e-8, 1e-2),
                "centered": st.booleans()},
    "Adagrad": {"initial_accumulator_value": st.floats(0, 1), "epsilon": st.floats(1e-8, 1e-2)},
}
COMMON_SPACE = {"learning_rate": st.floats(0, 1), "weight_decay": st.floats(0, 0.1), "clipnorm": st.floats(-1, 5),
                "clipvalue": st.floats(-1, 5), "global_clipnorm": st.floats(-1, 5)}


@st.composite
def optimizer_arguments(draw):
    name = draw(st.sampled_from(sorted(OPTIMIZER_SPACE)))
    space = {**OPTIMIZER_SPACE[name], **COMMON_SPACE}
    keys = draw(st.lists(st.sampled_from(sorted(space)), max_size=3, unique=True))
    clips = [k for k in keys if "clip" in k]
    keys = [k for k in keys if "clip" not in k] + clips[:1]  # one clipping argument at most
    return name, {key: draw(odd_or(space[key], 20)) for key in keys}


def _reference_step(name, config, weights, grads):
    """One step of the float32 reference with the optimizer's own (accepted) configuration."""
    clip = {k: config[k] for k in ("clipnorm", "clipvalue", "global_clipnorm") if config.get(k) is not None}
    common = dict(learning_rate=config["learning_rate"], weight_decay=config["weight_decay"], **clip)
    zeros = [np.zeros_like(w) for w in weights]
    if name == "SGD":
        return ref_optimizers.sgd(weights, grads, zeros, momentum=config["momentum"], nesterov=config["nesterov"],
                                  **common)[0]
    if name in ("Adam", "AdamW"):
        return ref_optimizers.adam(weights, grads, zeros, list(zeros), list(zeros), step=1, beta_1=config["beta_1"],
                                   beta_2=config["beta_2"], epsilon=config["epsilon"], amsgrad=config["amsgrad"],
                                   **common)[0]
    if name == "RMSprop":
        return ref_optimizers.rmsprop(weights, grads, zeros, list(zeros), list(zeros), rho=config["rho"],
                                      momentum=config["momentum"], epsilon=config["epsilon"],
                                      centered=config["centered"], **common)[0]
    accumulators = [np.full_like(w, config["initial_accumulator_value"]) for w in weights]
    return ref_optimizers.adagrad(weights, grads, accumulators, epsilon=config["epsilon"], **common)[0]


@given(arguments=optimizer_arguments(), seed=st.integers(0, 2**16), data=st.data())
def test_optimizer_step_matches_reference_or_isrefused(arguments, seed, data):
    name, kwargs = arguments
    refused, optimizer = _refused(lambda: getattr(kernas.optimizers, name)(**kwargs), *kwargs, "argument")
    if refused:
        return
    config = optimizer.get_config()
    for key, value in config.items():
        # Only a clipping threshold may be infinite (-inf is ignored, clipvalue=inf never clips); none is NaN.
        finite = math.isfinite(value) or (abs(value) == INF and "clip" in key) if isinstance(value, float) else True
        assert finite, (key, value)
    rng = np.random.default_rng(seed)
    shapes = [(3, 2), (2,)]
    weights = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    grads = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    variables = [Variable(w.copy(), f"v{i}") for i, w in enumerate(weights)]
    # The gradients may come in any real dtype and layout: they are converted.
    dtypes = st.sampled_from(("float32", "float64"))
    given_grads = [data.draw(awkward_views(g.astype(data.draw(dtypes)))) for g in grads]
    optimizer.apply(given_grads, variables)
    expected = _reference_step(name, config, weights, grads)
    # Huge (finite) rates may overflow float32, as they do in Keras; moderate ones never give inf or NaN.
    moderate = config["learning_rate"] <= 10 and (config["weight_decay"] or 0) <= 10
    for variable, want in zip(variables, expected):
        got = variable.numpy()
        assert np.all(np.isfinite(got)) or not moderate, (name, config, got)
        np.testing.assert_allclose(got, want, rtol=2e-6, atol=1e-7)


@given(name=st.sampled_from(sorted(OPTIMIZER_SPACE)), data=st.data())
def test_optimizer_apply_refuses_mismatched_gradients(name, data):
    optimizer = getattr(kernas.optimizers, name)()
    variables = [Variable(np.ones((3, 2), np.float32), "w"), Variable(np.zeros(2, np.float32), "b")]
    good = [np.ones((3, 2), np.float32), np.ones(2, np.float32)]
    bad = data.draw(st.sampled_from((
        [good[0]], good + [good[1]], [good[1], good[0]], [np.ones((3, 2, 1)), good[1]], [1.0, good[1]],
        [np.ones((3, 2), object), good[1]], [np.ones((3, 2), complex), good[1]], [None, None],
        [np.ones((2, 3)), good[1]], np.ones((3, 2)), [np.array([]), good[1]], ["x", good[1]],
        [{"a": 1}, good[1]],
    )))
    before = [v.numpy() for v in variables]
    refused, _ = _refused(lambda: optimizer.apply(bad, variables), "grads", "gradient", "weights")
    assert refused
    # A refused step leaves the weights and the iteration count as they were.
    for variable, value in zip(variables, before):
        np.testing.assert_array_equal(variable.numpy(), value)
    assert optimizer.iterations == 0


# ----- learning rate schedules ---------------------------------------------------------------------------

S = kernas.optimizers.schedules
SCHEDULE_SPACE = {
    S.ExponentialDecay: {"initial_learning_rate": st.floats(0, 1), "decay_steps": st.integers(1, 100),
                         "decay_rate": st.floats(0.01, 1), "staircase": st.booleans()},
    S.InverseTimeDecay: {"initial_learning_rate": st.floats(0, 1), "decay_steps": st.integers(1, 100),
                         "decay_rate": st.floats(0, 1), "staircase": st.booleans()},
    S.CosineDecay: {"initial_learning_rate": st.floats(0, 1), "decay_steps": st.integers(1, 100),
                    "alpha": st.floats(0, 1), "warmup_target": st.none() | st.floats(0, 1),
                    "warmup_steps": st.integers(0, 10)},
    S.CosineDecayRestarts: {"initial_learning_rate": st.floats(0, 1), "first_decay_steps": st.integers(1, 100),
                            "t_mul": st.floats(0.5, 3), "m_mul": st.floats(0, 1), "alpha": st.floats(0, 1)},
    S.PolynomialDecay: {"initial_learning_rate": st.floats(0, 1), "decay_steps": st.integers(1, 100),
                        "end_learning_rate": st.floats(0, 1), "power": st.floats(0, 3), "cycle": st.booleans()},
}
REQUIRED = {S.ExponentialDecay: ("initial_learning_rate", "decay_steps", "decay_rate"),
            S.InverseTimeDecay: ("initial_learning_rate", "decay_steps", "decay_rate"),
            S.CosineDecay: ("initial_learning_rate", "decay_steps"),
            S.CosineDecayRestarts: ("initial_learning_rate", "first_decay_steps"),
            S.PolynomialDecay: ("initial_learning_rate", "decay_steps")}


@st.composite
def schedules(draw):
    cls = draw(st.sampled_from(sorted(SCHEDULE_SPACE, key=lambda c: c.__name__)))
    space = SCHEDULE_SPACE[cls]
    keys = list(REQUIRED[cls]) + draw(st.lists(st.sampled_from(sorted(space)), max_size=2, unique=True))
    return cls, {key: draw(odd_or(space[key], 12)) for key in keys}


@given(schedule=schedules(), steps=st.lists(st.integers(0, 10**6), min_size=1, max_size=4))
def test_schedule_is_finite_orrefused(schedule, steps):
    cls, kwargs = schedule
    refused, scheduler = _refused(lambda: cls(**kwargs), *kwargs)
    if refused:
        return
    optimizer = kernas.optimizers.SGD(learning_rate=scheduler)
    variable = Variable(np.ones(2, np.float32), "w")
    for step in steps:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # float32 overflow inside a formula, e.g. t_mul**big
            value = scheduler(step)
        assert np.shape(value) == ()
        if not math.isfinite(float(value)):
            # The optimizer refuses to step with it, and the weights stay finite.
            optimizer._iteration[()] = step
            refused, _ = _refused(lambda: optimizer.apply([np.ones(2, np.float32)], [variable]), "learning rate")
            assert refused
            np.testing.assert_array_equal(variable.numpy(), np.ones(2, np.float32))


# ----- losses ---------------------------------------------------------------------------------------------

L = kernas.losses
LOSS_SPACE = {
    L.MeanSquaredError: {}, L.MeanAbsoluteError: {}, L.Huber: {"delta": st.floats(0.1, 3)},
    L.BinaryCrossentropy: {"from_logits": st.booleans(), "label_smoothing": st.floats(0, 1)},
    L.CategoricalCrossentropy: {"from_logits": st.booleans(), "label_smoothing": st.floats(0, 1)},
    L.SparseCategoricalCrossentropy: {"from_logits": st.booleans()},
}
LOSS_COMMON = {"reduction": st.sampled_from(("sum_over_batch_size", "sum", "mean", None, "none", "junk", "Sum")),
               "axis": st.sampled_from((-1, 0, 1, None)), "name": st.sampled_from(("l", "", None)),
               "ignore_class": st.sampled_from((None, 0, -1))}


@st.composite
def loss_objects(draw):
    cls = draw(st.sampled_from(sorted(LOSS_SPACE, key=lambda c: c.__name__)))
    space = {**LOSS_SPACE[cls]}
    keys = draw(st.lists(st.sampled_from(sorted(space) + ["reduction"]), max_size=3, unique=True))
    kwargs = {key: draw(odd_or(space[key] if key in space else LOSS_COMMON[key], 15)) for key in keys}
    if draw(rarely(st.just(False), st.just(True), 10)):
        key = draw(st.sampled_from(sorted(LOSS_COMMON)))
        kwargs[key] = draw(LOSS_COMMON[key])
    return cls, kwargs


def _reference_loss(loss, y_true, y_pred, sample_weight):
    """The reduced loss from tests/reference, for (rows, d) inputs."""
    t, p = np.asarray(y_true, np.float64), np.asarray(y_pred, np.float64)
    smoothing = getattr(loss, "label_smoothing", 0.0) or 0.0
    logits = getattr(loss, "from_logits", False)
    if isinstance(loss, L.MeanSquaredError):
        values, _ = ref_losses.mean_squared_error(t, p)
    elif isinstance(loss, L.MeanAbsoluteError):
        values, _ = ref_losses.mean_absolute_error(t, p)
    elif isinstance(loss, L.Huber):
        values, _ = ref_losses.huber(t, p, loss.delta)
    elif isinstance(loss, L.BinaryCrossentropy):
        function = ref_losses.binary_crossentropy_from_logits if logits else ref_losses.binary_crossentropy
        values, _ = function(t, p, smoothing)
    elif isinstance(loss, L.CategoricalCrossentropy):
        function = ref_losses.categorical_crossentropy_from_logits if logits else ref_losses.categorical_crossentropy
        values, _ = function(t, p, smoothing)
    else:
        values, _ = ref_losses.sparse_categorical_crossentropy(np.asarray(y_true).reshape(-1), p, logits)
    weights = np.ones(len(values)) if sample_weight is None else np.asarray(sample_weight, np.float64).reshape(-1)
    if loss.reduction in (None, "none"):
        return values * weights
    total = np.sum(values * weights)
    if loss.reduction == "sum":
        return total
    return total / len(values) if len(values) else 0.0


@st.composite
def loss_inputs(draw, sparse):
    rows, cols = draw(st.integers(0, 5)), draw(st.integers(1, 4))
    if sparse:
        labels = np.random.default_rng(draw(st.integers(0, 99))).integers(0, cols, rows)
        y_true = draw(rarely(st.just(labels), st.sampled_from((labels + cols, labels - 1, labels + 0.5,
                                                                np.eye(cols)[labels], labels.astype(str))), 20))
    else:
        y_true = draw(rarely(arrays_of_any_dtype((rows, cols), magnitude=1.0, nonfinite=False),
                             arrays_of_any_dtype(st.sampled_from(((rows,), (rows, cols + 1), (rows + 1, cols), ()))),
                             15))
    y_pred = draw(awkward_views(draw(rarely(
        arrays_of_any_dtype((rows, cols), dtypes=("float32", "float64", "float16"), magnitude=1.0, nonfinite=False),
        arrays_of_any_dtype(st.sampled_from(((rows, cols), (rows,), (), (rows, 0)))), 15))))
    weights = draw(rarely(st.none(), st.sampled_from((np.ones(rows), np.ones(rows + 1), -np.ones(rows),
                                                      np.full(rows, 2.0, np.float16), 3.0, "w")), 30))
    return y_true, y_pred, weights


@given(loss=loss_objects(), data=st.data())
def test_loss_matches_reference_or_refuses(loss, data):
    cls, kwargs = loss
    refused, instance = _refused(lambda: cls(**kwargs), *kwargs)
    if refused:
        return
    sparse = isinstance(instance, L.SparseCategoricalCrossentropy)
    y_true, y_pred, weights = data.draw(loss_inputs(sparse))
    if not getattr(instance, "from_logits", True) and np.asarray(y_pred).dtype.kind == "f":
        y_pred = np.abs(y_pred)  # probabilities, as the probability paths take them
    refused, value = _refused(lambda: instance(y_true, y_pred, sample_weight=weights), "y_true", "y_pred",
                              "sample_weight", "reduction")
    if refused:
        return
    ok_shapes = np.ndim(y_pred) == 2 and np.shape(y_pred)[0] > 0 and (weights is None or np.ndim(weights) == 1)
    same = np.shape(y_true)[:1] == np.shape(y_pred)[:1] if sparse else np.shape(y_true) == np.shape(y_pred)
    if not ok_shapes or not same:
        return  # Keras's rank-adjusting cases; tests/test_losses.py checks them one by one
    if np.asarray(y_true).dtype.kind not in "fiub":
        return
    # Rows summed as the loss sees them, in float32: 1e-144 is 0 there.
    if isinstance(instance, (L.CategoricalCrossentropy, L.SparseCategoricalCrossentropy)) and not (
            instance.from_logits or (np.asarray(y_pred, np.float32).sum(axis=-1) > 0).all()):
        return  # an all-zero probability row: Keras gives NaN (0 / 0), kernas 0 (see the report)
    expected = _reference_loss(instance, np.asarray(y_true).astype(np.float64),
                               np.asarray(y_pred).astype(np.float32), weights)
    np.testing.assert_allclose(value, expected, rtol=2e-5, atol=2e-5)


# ----- metrics --------------------------------------------------------------------------------------------

M = kernas.metrics
METRIC_SPACE = {
    M.Accuracy: {}, M.BinaryAccuracy: {"threshold": st.floats(0, 1)}, M.CategoricalAccuracy: {},
    M.SparseCategoricalAccuracy: {}, M.TopKCategoricalAccuracy: {"k": st.integers(1, 4)},
    M.SparseTopKCategoricalAccuracy: {"k": st.integers(1, 4)},
    M.Precision: {"thresholds": st.floats(0, 1)}, M.Recall: {"thresholds": st.floats(0, 1)},
    M.AUC: {"num_thresholds": st.integers(2, 50)}, M.MeanSquaredError: {}, M.MeanAbsoluteError: {},
    M.BinaryCrossentropy: {"from_logits": st.booleans()}, M.CategoricalCrossentropy: {"from_logits": st.booleans()},
    M.SparseCategoricalCrossentropy: {"from_logits": st.booleans()}, M.Mean: {}, M.Sum: {},
}


@given(cls=st.sampled_from(sorted(METRIC_SPACE, key=lambda c: c.__name__)), data=st.data())
def test_metric_update_works_or_refuses(cls, data):
    space = METRIC_SPACE[cls]
    kwargs = {key: data.draw(odd_or(value, 15)) for key, value in space.items() if data.draw(st.booleans())}
    refused, metric = _refused(lambda: cls(**kwargs), *kwargs)
    if refused:
        return
    rows, cols = data.draw(st.integers(0, 5)), data.draw(st.integers(1, 4))
    labels = np.random.default_rng(rows * 7 + cols).integers(0, cols, rows)
    sparse = "Sparse" in cls.__name__
    good = labels if sparse else np.eye(cols)[labels]
    y_true = data.draw(rarely(st.just(good), st.sampled_from((
        labels + cols, labels - 1, np.eye(cols + 1)[labels], labels.astype(str), good[:-1], np.float32(1),
        good.astype(object), good[..., None])), 30))
    y_pred = data.draw(awkward_views(data.draw(arrays_of_any_dtype(
        rarely(st.just((rows, cols)), st.sampled_from(((rows,), (), (rows, cols + 1), (rows + 1, cols))), 20),
        dtypes=("float32", "float64", "float16"), magnitude=1.0))))
    weights = data.draw(rarely(st.none(), st.sampled_from((np.ones(rows), np.ones(rows + 2), np.full(rows, NAN),
                                                           "w")), 25))
    with warnings.catch_warnings():
        # An invalid cast (of NaN to an index) would be a silent wrong count; inf - inf = NaN is only maths.
        warnings.filterwarnings("error", message=".*cast", category=RuntimeWarning)
        warnings.filterwarnings("ignore", message=".*(invalid value|overflow)", category=RuntimeWarning)
        if cls in (M.Mean, M.Sum):
            refused, _ = _refused(lambda: metric.update_state(y_pred, sample_weight=weights), "values",
                                  "sample_weight")
        else:
            refused, _ = _refused(lambda: metric.update_state(y_true, y_pred, sample_weight=weights), "y_true",
                                  "y_pred", "sample_weight")
    result = metric.result()
    assert np.shape(result) == () and isinstance(float(result), float)
    if refused or weights is not None or not np.isfinite(np.asarray(y_pred, np.float64)).all():
        return
    if cls in (M.Accuracy, M.CategoricalAccuracy, M.SparseCategoricalAccuracy, M.TopKCategoricalAccuracy,
               M.SparseTopKCategoricalAccuracy, M.BinaryAccuracy, M.Precision, M.Recall, M.AUC):
        assert 0.0 <= result <= 1.0, result
