"""kernas.regularizers: penalties as Keras computes them, gradients by finite differences, configs."""

import numpy as np
import pytest

from kernas import regularizers


def finite_difference_check(reg, x, rng, h=1e-6):
    grad = reg.gradient(x.astype(np.float32))
    assert grad.shape == x.shape and grad.dtype == np.float32
    for _ in range(3):
        direction = rng.standard_normal(x.shape)
        numeric = (reg(x + h * direction) - reg(x - h * direction)) / (2 * h)
        analytic = float(np.sum(grad * direction))
        assert abs(numeric - analytic) <= 1e-4 * (np.linalg.norm(grad) + 1e-3), (numeric, analytic)


@pytest.mark.parametrize(
    "reg, expected",
    [
        (regularizers.L1(0.3), lambda x: 0.3 * np.abs(x).sum()),
        (regularizers.L2(0.2), lambda x: 0.2 * np.square(x).sum()),
        (regularizers.L1L2(l1=0.1, l2=0.4), lambda x: 0.1 * np.abs(x).sum() + 0.4 * np.square(x).sum()),
        (regularizers.L1L2(l2=0.4), lambda x: 0.4 * np.square(x).sum()),
    ],
)
def test_penalties_and_gradients(rng, reg, expected):
    x = rng.standard_normal((7, 5))
    assert reg(x.astype(np.float32)) == pytest.approx(expected(x.astype(np.float32).astype(np.float64)), rel=1e-6)
    # Keep away from the kink of |x| so the central difference is exact.
    x[np.abs(x) < 1e-3] = 0.5
    finite_difference_check(reg, x, rng)


def test_l1_gradient_is_zero_at_zero():
    np.testing.assert_array_equal(regularizers.L1(1.0).gradient(np.array([0.0, -2.0, 3.0], np.float32)), [0, -1, 1])


@pytest.mark.parametrize("mode, shape", [("rows", (4, 6)), ("columns", (6, 4)), ("rows", (3, 3))])
def test_orthogonal_regularizer(keras, rng, mode, shape):
    import torch

    reg = regularizers.OrthogonalRegularizer(factor=0.5, mode=mode)
    x = rng.standard_normal(shape).astype(np.float32)
    theirs = keras.regularizers.OrthogonalRegularizer(factor=0.5, mode=mode)(torch.tensor(x))
    assert reg(x) == pytest.approx(float(theirs), rel=1e-5)
    finite_difference_check(reg, x.astype(np.float64), rng)
    assert reg(np.eye(3, dtype=np.float32)) == 0.0
    with pytest.raises(ValueError, match="rank 2"):
        reg(np.ones(3, np.float32))


@pytest.mark.parametrize(
    "class_name, kwargs", [("L1", {}), ("L1", {"l1": 0.3}), ("L2", {"l2": 0.1}), ("L1L2", {"l1": 0.2}),
                           ("L1L2", {}), ("OrthogonalRegularizer", {"factor": 0.1, "mode": "columns"})]
)
def test_values_configs_equal_keras(keras, rng, class_name, kwargs):
    import torch

    ours = getattr(regularizers, class_name)(**kwargs)
    theirs = getattr(keras.regularizers, class_name)(**kwargs)
    assert regularizers.serialize(ours) == keras.regularizers.serialize(theirs)
    x = rng.standard_normal((5, 4)).astype(np.float32)
    assert ours(x) == pytest.approx(float(theirs(torch.tensor(x))), rel=1e-5)
    restored = regularizers.get(regularizers.serialize(ours))
    assert type(restored) is type(ours) and restored.get_config() == ours.get_config()


def test_get_names_and_errors():
    assert regularizers.get(None) is None
    assert regularizers.get("l2").get_config() == {"l2": 0.01}
    assert isinstance(regularizers.get("l1l2"), regularizers.L1L2)
    assert isinstance(regularizers.get("l1_l2"), regularizers.L1L2)
    assert isinstance(regularizers.get("L1"), regularizers.L1)
    assert regularizers.l1 is regularizers.L1 and regularizers.l1_l2 is regularizers.L1L2
    reg = regularizers.L2(0.5)
    assert regularizers.get(reg) is reg
    with pytest.raises(ValueError, match="Unknown regularizer"):
        regularizers.get("l3")
    with pytest.raises(ValueError, match="non-negative"):
        regularizers.L2(-1.0)
    with pytest.raises(ValueError, match="gradient"):
        regularizers.get(lambda x: 0.0)
    with pytest.raises(ValueError, match="mode"):
        regularizers.OrthogonalRegularizer(mode="diagonal")


def test_orthogonal_regularizer_needs_two_vectors():
    with pytest.raises(ValueError, match="at least 2 columns"):
        regularizers.OrthogonalRegularizer(factor=0.1, mode="columns")(np.ones((4, 1), np.float32))
