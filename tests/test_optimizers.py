"""kernas.ops.optimizers: multi-tensor optimizer updates with Keras 3's maths.

The NumPy reference (tests/reference/optimizers.py) performs Keras's float32
operations in Keras's order, so kernas must match it bit for bit. PyTorch's
optimizers are an independent oracle for the maths (their formulas differ in
rounding and in where epsilon goes, so they are compared with a tolerance);
real Keras 3 (torch backend) is compared both through its own torch update
and, bit for bit, through its backend-independent update_step.
"""

import types

import numpy as np
import pytest

import kernas
from kernas import _core
from kernas.ops import optimizers

from reference import optimizers as ref

# Awkward sizes: below, at and past a vector width, and big enough to split.
SHAPES = [(1,), (7,), (17,), (40, 25), (12345,)]
STEPS = 4


def update_function(name):
    return getattr(optimizers, f"{name}_update")


def reference_function(name):
    return {"sgd": ref.sgd, "adam": ref.adam, "adamw": ref.adam, "rmsprop": ref.rmsprop, "adagrad": ref.adagrad}[name]


def slot_use(name, kwargs):
    """Which slot lists the optimizer takes (positionally) and whether each is used."""
    if name == "sgd":
        return [kwargs.get("momentum", 0.0) != 0]
    if name in ("adam", "adamw"):
        return [True, True, kwargs.get("amsgrad", False)]
    if name == "rmsprop":
        return [True, kwargs.get("momentum", 0.0) > 0, kwargs.get("centered", False)]
    return [True]


def initial_slots(name, kwargs, shapes):
    fill = 0.1 if name == "adagrad" else 0.0  # Keras's initial_accumulator_value
    return [[np.full(s, fill, np.float32) for s in shapes] if used else None for used in slot_use(name, kwargs)]


def reference_kwargs(name, kwargs):
    kwargs = dict(kwargs)
    if name == "adamw":
        kwargs.setdefault("weight_decay", 0.004)
    return kwargs


def run_both(rng, name, kwargs, shapes=SHAPES, steps=STEPS):
    """Runs `steps` updates with kernas and with the reference; asserts every state matches bitwise.

    With norm clipping too: both sum squares in float64 and round the sum once
    to float32, so they agree unless two float64 sums straddle a float32
    rounding boundary (odds about 1e-9 per sum; these seeds are fixed).
    """
    weights = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    slots = initial_slots(name, kwargs, shapes)
    expected_weights = [w.copy() for w in weights]
    expected_slots = [[a.copy() for a in lst] if lst is not None else None for lst in slots]
    for step in range(1, steps + 1):
        grads = [rng.standard_normal(s).astype(np.float32) for s in shapes]
        extra = {"step": step} if name in ("adam", "adamw") else {}
        update_function(name)(weights, grads, *slots, **extra, **kwargs)
        result = reference_function(name)(expected_weights, grads, *expected_slots, **extra,
                                          **reference_kwargs(name, kwargs))
        expected_weights = result[0]
        expected_slots = [new if old is not None else None for old, new in zip(expected_slots, result[1:])]
        for i, (w, e) in enumerate(zip(weights, expected_weights)):
            np.testing.assert_array_equal(w, e, err_msg=f"{name} {kwargs} step {step}: weights[{i}]")
        for lst, expected in zip(slots, expected_slots):
            if lst is not None:
                for i, (a, e) in enumerate(zip(lst, expected)):
                    np.testing.assert_array_equal(a, e, err_msg=f"{name} {kwargs} step {step}: slot [{i}]")


VARIANTS = [
    ("sgd", dict(learning_rate=0.1)),
    ("sgd", dict(learning_rate=0.1, momentum=0.9)),
    ("sgd", dict(learning_rate=0.1, momentum=0.9, nesterov=True)),
    ("adam", dict(learning_rate=0.01)),
    ("adam", dict(learning_rate=0.01, beta_1=0.8, beta_2=0.95, epsilon=1e-3, amsgrad=True)),
    ("adamw", dict(learning_rate=0.01)),
    ("rmsprop", dict(learning_rate=0.01)),
    ("rmsprop", dict(learning_rate=0.01, momentum=0.9)),
    ("rmsprop", dict(learning_rate=0.01, centered=True)),
    ("rmsprop", dict(learning_rate=0.01, rho=0.8, momentum=0.5, centered=True, epsilon=1e-4)),
    ("adagrad", dict(learning_rate=0.1)),
]
VARIANT_IDS = [f"{name}-{'-'.join(f'{k}={v}' for k, v in kw.items())}" for name, kw in VARIANTS]


@pytest.mark.parametrize("name, kwargs", VARIANTS, ids=VARIANT_IDS)
def test_every_optimizer_matches_kerases_float32_maths_bitwise(kernel_set, rng, name, kwargs):
    run_both(rng, name, kwargs)


CLIPPING = [dict(clipvalue=0.5), dict(clipnorm=1.0), dict(global_clipnorm=5.0), dict(clipnorm=1e6),
            dict(global_clipnorm=1e6), dict(clipnorm=-1.0), dict(clipvalue=0.0)]
CLIPPED = [("sgd", dict(learning_rate=0.1, momentum=0.9)), ("adam", dict(learning_rate=0.01, amsgrad=True)),
           ("rmsprop", dict(learning_rate=0.01, momentum=0.5, centered=True)), ("adagrad", dict(learning_rate=0.1))]


@pytest.mark.parametrize("clipping", CLIPPING, ids=lambda c: "-".join(f"{k}={v}" for k, v in c.items()))
@pytest.mark.parametrize("name, kwargs", CLIPPED, ids=[n for n, _ in CLIPPED])
def test_clipping_matches_keras(kernel_set, rng, name, kwargs, clipping):
    # Thresholds that clip, that do not (1e6), and that Keras ignores (<= 0).
    run_both(rng, name, {**kwargs, **clipping}, steps=2)


@pytest.mark.parametrize("clipping", [dict(clipnorm=1.0), dict(global_clipnorm=1.0)], ids=lambda c: list(c)[0])
def test_norm_clipping_of_zero_gradients_is_keras_safe_division(kernel_set, clipping):
    weights = [np.ones(s, np.float32) for s in SHAPES]
    zeros = [np.zeros(s, np.float32) for s in SHAPES]
    slots = initial_slots("adam", {}, SHAPES)
    expected = ref.adam(weights, zeros, *[[a.copy() for a in lst] if lst else None for lst in slots], step=1,
                        **clipping)
    optimizers.adam_update(weights, zeros, *slots, step=1, **clipping)
    for w, e in zip(weights, expected[0]):
        np.testing.assert_array_equal(w, e)
        assert np.all(np.isfinite(w))


@pytest.mark.parametrize("name, kwargs", [("sgd", dict(learning_rate=0.1, momentum=0.9)),
                                          ("adam", dict(learning_rate=0.01)), ("rmsprop", {}), ("adagrad", {})])
def test_weight_decay_before_the_update_with_per_variable_exclusion(kernel_set, rng, name, kwargs):
    flags = [True, False, True, False, True]
    run_both(rng, name, {**kwargs, "weight_decay": 0.05, "use_weight_decay": flags})
    run_both(rng, name, {**kwargs, "weight_decay": 0.05, "clipvalue": 0.3})


def test_adamw_requires_a_weight_decay_and_defaults_to_kerases():
    w, g, m, v = adam_state()
    expected = ref.adam(w, g, m, v, step=1, weight_decay=0.004)
    optimizers.adamw_update(w, g, m, v, step=1)
    for a, e in zip(w, expected[0]):
        np.testing.assert_array_equal(a, e)
    with pytest.raises(ValueError, match="Argument `weight_decay` must be a float. Received: weight_decay=None"):
        optimizers.adamw_update(w, g, m, v, step=2, weight_decay=None)


def test_nan_gradients_propagate_like_kerases_clip(kernel_set):
    weights = [np.ones(20, np.float32)]
    grads = [np.linspace(-1, 1, 20).astype(np.float32)]
    grads[0][[3, 11]] = np.nan
    slots = initial_slots("adam", {}, [(20,)])
    expected = ref.adam([weights[0].copy()], grads, [np.zeros(20, np.float32)], [np.zeros(20, np.float32)], step=1,
                        clipvalue=0.5)
    optimizers.adam_update(weights, grads, *slots, step=1, clipvalue=0.5)
    np.testing.assert_array_equal(weights[0], expected[0][0])
    assert np.isnan(weights[0][[3, 11]]).all() and np.isfinite(np.delete(weights[0], [3, 11])).all()


# ---- determinism -------------------------------------------------------------

# Big enough that two threads split both the update and the sums of squares.
BIG_SHAPES = [(70001,), (3,), (300, 150), (1,)]
DETERMINISM = [("sgd", dict(learning_rate=0.1, momentum=0.9, nesterov=True, clipnorm=2.0)),
               ("adam", dict(learning_rate=0.01, amsgrad=True, weight_decay=0.01, global_clipnorm=3.0)),
               ("rmsprop", dict(momentum=0.5, centered=True, clipvalue=0.7)),
               ("adagrad", dict(global_clipnorm=1.0))]


def run_kernas(name, kwargs, shapes, steps, seed):
    rng = np.random.default_rng(seed)
    weights = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    slots = initial_slots(name, kwargs, shapes)
    for step in range(1, steps + 1):
        grads = [rng.standard_normal(s).astype(np.float32) for s in shapes]
        extra = {"step": step} if name in ("adam", "adamw") else {}
        update_function(name)(weights, grads, *slots, **extra, **kwargs)
    return weights + [a for lst in slots if lst is not None for a in lst]


@pytest.mark.parametrize("name, kwargs", DETERMINISM, ids=[n for n, _ in DETERMINISM])
def test_one_and_two_threads_agree_bitwise(kernel_set, restore_threads, name, kwargs):
    results = []
    for threads in (1, 2):
        kernas.config.set_num_threads(threads)
        results.append(run_kernas(name, kwargs, BIG_SHAPES, 3, seed=7))
    for a, b in zip(*results):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name, kwargs", DETERMINISM, ids=[n for n, _ in DETERMINISM])
def test_both_kernel_sets_agree_bitwise(name, kwargs):
    sets = kernas.config.available_cpu_features()
    if len(sets) < 2:
        pytest.skip("this CPU runs only the reference kernel set")
    previous = kernas.config.cpu_features()
    try:
        results = []
        for kernel_set in sets:
            kernas.config.set_cpu_features(kernel_set)
            results.append(run_kernas(name, kwargs, BIG_SHAPES, 3, seed=11))
    finally:
        kernas.config.set_cpu_features(previous)
    for a, b in zip(*results):
        np.testing.assert_array_equal(a, b)


def test_gradients_of_other_dtypes_are_converted(kernel_set, rng):
    shapes = [(5, 3), (4,)]
    grads64 = [rng.standard_normal(s) for s in shapes]
    grads32 = [g.astype(np.float32) for g in grads64]
    fortran_order = [np.asfortranarray(g) for g in grads32]
    results = []
    for grads in (grads32, grads64, fortran_order):
        w = [np.ones(s, np.float32) for s in shapes]
        m = [np.zeros(s, np.float32) for s in shapes]
        optimizers.sgd_update(w, grads, m, learning_rate=0.1, momentum=0.5)
        results.append(w)
    for other in results[1:]:
        for a, b in zip(results[0], other):
            np.testing.assert_array_equal(a, b)


def test_empty_lists_and_empty_tensors_are_no_ops():
    optimizers.adam_update([], [], [], [], step=1, global_clipnorm=1.0)
    w = [np.zeros((0, 3), np.float32), np.ones(2, np.float32)]
    g = [np.zeros((0, 3), np.float32), np.ones(2, np.float32)]
    slots = [[np.zeros_like(a) for a in w] for _ in range(2)]
    optimizers.adam_update(w, g, *slots, step=1, clipnorm=1.0)
    assert w[0].shape == (0, 3) and np.all(w[1] < 1)


# ---- independent oracles ------------------------------------------------------

TRAJECTORY_SHAPES = [(1,), (7,), (17, 3), (130,)]
TRAJECTORY_STEPS = 20


def trajectory_grads(seed):
    """Gradients bounded away from zero, so where epsilon sits (Keras vs torch) is far below tolerance."""
    rng = np.random.default_rng(seed)
    grads = []
    for _ in range(TRAJECTORY_STEPS):
        step = []
        for s in TRAJECTORY_SHAPES:
            g = rng.standard_normal(s)
            step.append((np.sign(g) * (0.1 + np.abs(g))).astype(np.float32))
        grads.append(step)
    return grads


TORCH_CASES = [
    # (kernas name, kernas kwargs, torch class name, torch kwargs)
    ("sgd", dict(learning_rate=0.05), "SGD", dict(lr=0.05)),
    ("sgd", dict(learning_rate=0.05, momentum=0.9), "SGD", dict(lr=0.05, momentum=0.9)),
    ("sgd", dict(learning_rate=0.05, momentum=0.9, nesterov=True), "SGD", dict(lr=0.05, momentum=0.9, nesterov=True)),
    ("adam", dict(learning_rate=0.01, epsilon=1e-12), "Adam", dict(lr=0.01, eps=1e-12)),
    ("adam", dict(learning_rate=0.01, epsilon=1e-12, amsgrad=True), "Adam", dict(lr=0.01, eps=1e-12, amsgrad=True)),
    ("adamw", dict(learning_rate=0.01, epsilon=1e-12, weight_decay=0.1), "AdamW",
     dict(lr=0.01, eps=1e-12, weight_decay=0.1)),
    ("rmsprop", dict(learning_rate=0.01, epsilon=1e-12), "RMSprop", dict(lr=0.01, alpha=0.9, eps=1e-12)),
    ("rmsprop", dict(learning_rate=0.01, epsilon=1e-12, momentum=0.8, centered=True), "RMSprop",
     dict(lr=0.01, alpha=0.9, eps=1e-12, momentum=0.8, centered=True)),
    ("adagrad", dict(learning_rate=0.1, epsilon=1e-12), "Adagrad",
     dict(lr=0.1, eps=1e-12, initial_accumulator_value=0.1)),
]


@pytest.mark.parametrize("name, kwargs, torch_name, torch_kwargs", TORCH_CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(TORCH_CASES)])
def test_twenty_step_trajectory_matches_torch_optim(kernel_set, name, kwargs, torch_name, torch_kwargs):
    """Same maths, different rounding and epsilon placement.

    SGD: torch keeps b = momentum * b + g and steps -lr * b, Keras keeps
    m = momentum * m - lr * g = -lr * b (equal for a constant lr). Adam:
    torch's denominator is sqrt(v) / sqrt(1 - beta_2^t) + eps, Keras's
    (sqrt(v) + eps) / sqrt(1 - beta_2^t); RMSprop and Adagrad put eps outside
    the square root in torch, inside in Keras. With eps = 1e-12 and
    gradients of magnitude >= 0.1 these differ far below the tolerance.
    """
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    initial = [rng.standard_normal(s).astype(np.float32) for s in TRAJECTORY_SHAPES]
    weights = [w.copy() for w in initial]
    slots = initial_slots(name, kwargs, TRAJECTORY_SHAPES)
    params = [torch.nn.Parameter(torch.from_numpy(w.copy())) for w in initial]
    torch_optimizer = getattr(torch.optim, torch_name)(params, foreach=False, **torch_kwargs)
    for step, grads in enumerate(trajectory_grads(5), start=1):
        extra = {"step": step} if name in ("adam", "adamw") else {}
        update_function(name)(weights, grads, *slots, **extra, **kwargs)
        for p, g in zip(params, grads):
            p.grad = torch.from_numpy(g.copy())
        torch_optimizer.step()
    assert max(np.abs(w - w0).max() for w, w0 in zip(weights, initial)) > 0.05  # the comparison means something
    for w, p in zip(weights, params):
        np.testing.assert_allclose(w, p.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_torch_comparison_detects_a_wrong_update():
    """The tolerance above is far below what a slightly wrong update (beta_1 0.85 for 0.9) produces."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    initial = [rng.standard_normal(s).astype(np.float32) for s in TRAJECTORY_SHAPES]
    weights = [w.copy() for w in initial]
    slots = initial_slots("adam", {}, TRAJECTORY_SHAPES)
    params = [torch.nn.Parameter(torch.from_numpy(w.copy())) for w in initial]
    torch_optimizer = torch.optim.Adam(params, lr=0.01, eps=1e-12, betas=(0.85, 0.999))
    for step, grads in enumerate(trajectory_grads(5), start=1):
        optimizers.adam_update(weights, grads, *slots, step=step, learning_rate=0.01, epsilon=1e-12)
        for p, g in zip(params, grads):
            p.grad = torch.from_numpy(g.copy())
        torch_optimizer.step()
    differences = [np.abs(w - p.detach().numpy()).max() / np.abs(w - w0).max()
                   for w, p, w0 in zip(weights, params, initial)]
    assert max(differences) > 100 * 1e-5


KERAS_CASES = [
    ("sgd", "SGD", dict(learning_rate=0.05, momentum=0.9, nesterov=True, weight_decay=0.01)),
    ("adam", "Adam", dict(learning_rate=0.01, amsgrad=True)),
    ("adamw", "AdamW", dict(learning_rate=0.01, weight_decay=0.05)),
    ("rmsprop", "RMSprop", dict(learning_rate=0.01, momentum=0.5, centered=True)),
    ("adagrad", "Adagrad", dict(learning_rate=0.1)),
    ("adam", "Adam", dict(learning_rate=0.01, clipvalue=0.3)),
    ("adam", "Adam", dict(learning_rate=0.01, clipnorm=1.0)),
    ("sgd", "SGD", dict(learning_rate=0.05, momentum=0.5, global_clipnorm=2.0)),
]


def keras_trajectory(keras, class_name, kwargs, generic, monkeypatch):
    """Weights after each step of a real Keras optimizer.

    generic=False runs what Keras runs on the torch backend (torch._foreach
    updates). generic=True runs Keras's backend-independent update_step and
    weight decay (what JAX and TensorFlow run) with a correctly rounded
    float32 sqrt: torch's CPU float32 sqrt is off by one ulp for about a sixth
    of its inputs, where JAX, TensorFlow, NumPy and kernas round correctly.
    """
    import torch
    from keras.src import ops
    from keras.src.optimizers.base_optimizer import BaseOptimizer

    rng = np.random.default_rng(3)
    variables = [keras.Variable(rng.standard_normal(s).astype(np.float32)) for s in TRAJECTORY_SHAPES]
    optimizer = getattr(keras.optimizers, class_name)(**kwargs)
    with monkeypatch.context() as patch:
        if generic:
            optimizer._backend_update_step = types.MethodType(BaseOptimizer._backend_update_step, optimizer)
            optimizer._apply_weight_decay = types.MethodType(BaseOptimizer._apply_weight_decay, optimizer)
            # sqrt in float64 then rounded to float32 is the correctly rounded float32 sqrt.
            patch.setattr(ops, "sqrt", lambda x: torch.sqrt(ops.convert_to_tensor(x).double()).float())
        trajectory = []
        for grads in trajectory_grads(5):
            optimizer.apply([ops.convert_to_tensor(g) for g in grads], variables)
            trajectory.append([v.value.detach().numpy().copy() for v in variables])
    return trajectory


def kernas_trajectory(name, kwargs):
    rng = np.random.default_rng(3)
    weights = [rng.standard_normal(s).astype(np.float32) for s in TRAJECTORY_SHAPES]
    slots = initial_slots(name, kwargs, TRAJECTORY_SHAPES)
    trajectory = []
    for step, grads in enumerate(trajectory_grads(5), start=1):
        extra = {"step": step} if name in ("adam", "adamw") else {}
        update_function(name)(weights, grads, *slots, **extra, **kwargs)
        trajectory.append([w.copy() for w in weights])
    return trajectory


@pytest.mark.parametrize("name, class_name, kwargs", KERAS_CASES,
                         ids=[f"{c[1]}-{i}" for i, c in enumerate(KERAS_CASES)])
def test_matches_keras_3(keras, monkeypatch, name, class_name, kwargs):
    """Bitwise against Keras's own update_step (norm clipping aside: Keras sums squares in float32),
    and to float32 rounding against the torch-specific updates Keras runs on the torch backend."""
    ours = kernas_trajectory(name, kwargs)
    generic = keras_trajectory(keras, class_name, kwargs, True, monkeypatch)
    native = keras_trajectory(keras, class_name, kwargs, False, monkeypatch)
    norm_clipping = "clipnorm" in kwargs or "global_clipnorm" in kwargs
    for step, (mine, theirs, torch_path) in enumerate(zip(ours, generic, native), start=1):
        for w, k, t in zip(mine, theirs, torch_path):
            if norm_clipping:
                np.testing.assert_allclose(w, k, rtol=2e-6, atol=1e-6, err_msg=f"step {step}")
            else:
                np.testing.assert_array_equal(w, k, err_msg=f"step {step}")
            np.testing.assert_allclose(w, t, rtol=1e-5, atol=1e-5, err_msg=f"step {step}")


# ---- bad input -------------------------------------------------------------------


def adam_state(shapes=((3, 2), (4,))):
    w = [np.ones(s, np.float32) for s in shapes]
    g = [np.ones(s, np.float32) for s in shapes]
    m = [np.zeros(s, np.float32) for s in shapes]
    v = [np.zeros(s, np.float32) for s in shapes]
    return w, g, m, v


def test_in_place_arrays_must_be_float32_contiguous_writeable_and_shaped():
    w, g, m, v = adam_state()
    with pytest.raises(TypeError, match=r"Expected `weights\[1\]` to have dtype float32.*astype"):
        optimizers.adam_update([w[0], np.ones(4)], g, m, v, step=1)
    with pytest.raises(TypeError, match=r"`velocities\[0\]` to be a NumPy array"):
        optimizers.adam_update(w, g, m, [[[0.0, 0.0]] * 3, v[1]], step=1)
    with pytest.raises(ValueError, match=r"`momentums\[0\]` to be C-contiguous"):
        optimizers.adam_update(w, g, [np.zeros((2, 3), np.float32).T, m[1]], v, step=1)
    readonly = np.zeros(4, np.float32)
    readonly.flags.writeable = False
    with pytest.raises(ValueError, match=r"`velocities\[1\]` to be writeable"):
        optimizers.adam_update(w, g, m, [v[0], readonly], step=1)
    with pytest.raises(ValueError, match=r"`grads\[0\]` to have the shape of `weights\[0\]`, \(3, 2\)"):
        optimizers.adam_update(w, [np.ones((2, 3), np.float32), g[1]], m, v, step=1)
    with pytest.raises(ValueError, match=r"`momentums\[1\]` to have the shape of `weights\[1\]`"):
        optimizers.adam_update(w, g, [m[0], np.zeros(5, np.float32)], v, step=1)
    with pytest.raises(TypeError, match=r"`grads\[1\]` to hold real numbers"):
        optimizers.adam_update(w, [g[0], np.array(["a"] * 4)], m, v, step=1)
    np.testing.assert_array_equal(w[0], 1.0)  # nothing was updated by the failed calls


def test_lists_and_slots_must_match():
    w, g, m, v = adam_state()
    with pytest.raises(TypeError, match="Expected `weights` to be a list"):
        optimizers.adam_update(w[0], g[0], m, v, step=1)
    with pytest.raises(ValueError, match="as many gradients as weights"):
        optimizers.adam_update(w, g[:1], m, v, step=1)
    with pytest.raises(ValueError, match=r"one `velocities` array per weight. Received: len\(velocities\)=1"):
        optimizers.adam_update(w, g, m, v[:1], step=1)
    with pytest.raises(ValueError, match="Expected `velocity_hats`.*Received: velocity_hats=None"):
        optimizers.adam_update(w, g, m, v, step=1, amsgrad=True)
    with pytest.raises(ValueError, match="Expected `momentums`"):
        optimizers.sgd_update(w, g, None, momentum=0.5)
    with pytest.raises(ValueError, match="Expected `average_gradients`"):
        optimizers.rmsprop_update(w, g, v, centered=True)
    with pytest.raises(ValueError, match="one weight-decay flag per weight"):
        optimizers.adam_update(w, g, m, v, step=1, weight_decay=0.1, use_weight_decay=[True])
    optimizers.sgd_update(w, g, None, momentum=0.0)  # plain SGD needs no slots


def test_arrays_that_share_memory_are_refused():
    w, g, m, v = adam_state()
    with pytest.raises(ValueError, match=r"`velocities\[0\]` and `momentums\[0\]` share memory|"
                                         r"`momentums\[0\]` and `velocities\[0\]` share memory"):
        optimizers.adam_update(w, g, m, [m[0], v[1]], step=1)
    with pytest.raises(ValueError, match="share memory"):
        optimizers.adam_update(w, [w[0], g[1]], m, v, step=1)
    big = np.zeros(10, np.float32)
    with pytest.raises(ValueError, match="share memory"):
        optimizers.adam_update(w, g, [m[0], big[:4]], [v[0], big[3:7]], step=1)
    optimizers.adam_update(w, [g[0], g[0].reshape(6)[:4]], m, v, step=1)  # gradients may share memory


def test_hyperparameters_are_validated_like_keras():
    w, g, m, v = adam_state()
    with pytest.raises(ValueError, match="Only one of `clipnorm`, `clipvalue` and `global_clipnorm`"):
        optimizers.adam_update(w, g, m, v, step=1, clipnorm=1.0, clipvalue=1.0)
    with pytest.raises(ValueError, match=r"`momentum` must be a float between \[0, 1\]"):
        optimizers.sgd_update(w, g, m, momentum=1.5)
    with pytest.raises(ValueError, match="`step` >= 1"):
        optimizers.adam_update(w, g, m, v, step=0)
    with pytest.raises(TypeError, match="`step` to be an integer"):
        optimizers.adam_update(w, g, m, v, step=1.5)
    with pytest.raises(TypeError, match="`learning_rate` to be a float"):
        optimizers.adam_update(w, g, m, v, step=1, learning_rate="0.1")
    with pytest.raises(TypeError, match="`weight_decay` to be a float"):
        optimizers.rmsprop_update(w, g, v, weight_decay=True)
    with pytest.raises(TypeError, match="`use_weight_decay` to be a list"):
        optimizers.adagrad_update(w, g, v, weight_decay=0.1, use_weight_decay=True)
    np.testing.assert_array_equal(w[0], 1.0)


def test_direct_core_calls_are_checked():
    w, g, m, v = adam_state()
    with pytest.raises(ValueError, match="clip_kind"):
        _core.adam_update(w, g, m, v, None, 1, 0.001, 0.9, 0.999, 1e-7, False, None, None, "sometimes", 1.0)
    with pytest.raises(ValueError, match="step"):
        _core.adam_update(w, g, m, v, None, 0, 0.001, 0.9, 0.999, 1e-7, False, None, None, "none", 0.0)
    with pytest.raises(ValueError, match="positive clipping threshold"):
        _core.adam_update(w, g, m, v, None, 1, 0.001, 0.9, 0.999, 1e-7, False, None, None, "norm", 0.0)
    with pytest.raises(ValueError, match=r"`accumulators\[0\]` to have the shape"):
        _core.adagrad_update(w, g, [np.zeros(7, np.float32), m[1]], 0.1, 1e-7, None, None, "none", 0.0)
    with pytest.raises(TypeError):
        _core.sgd_update(w, g, 5, 0.1, 0.9, False, None, None, "none", 0.0)
    with pytest.raises(TypeError, match=r"`use_weight_decay\[1\]` to be True or False"):
        _core.sgd_update(w, g, None, 0.1, 0.0, False, 0.1, [True, 1], "none", 0.0)
    np.testing.assert_array_equal(w[0], 1.0)
