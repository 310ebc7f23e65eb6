import math

import numpy as np
import pytest
from reference import dropout as ref

import kernas
from kernas import _core
from kernas.ops import dropout

# Random123's known-answer vectors for Philox4x32-10: (counter, key, output).
PHILOX_KNOWN_ANSWERS = [
    ([0, 0, 0, 0], [0, 0], [0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8]),
    ([0xFFFFFFFF] * 4, [0xFFFFFFFF] * 2, [0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD]),
    (
        [0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344],
        [0xA4093822, 0x299F31D0],
        [0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1],
    ),
]

# Past 2 * 2**14 elements the kernel splits the work between threads; this is
# six threads' worth, so 2 and 3 threads all run.
THREADED_COUNT = 6 * 2**14 + 37


def test_reference_generator_is_philox4x32_10():
    for counter, key, expected in PHILOX_KNOWN_ANSWERS:
        out = ref.philox4x32_10([[word] for word in counter], key)[:, 0]
        assert [int(word) for word in out] == expected


@pytest.mark.parametrize("count", [1, 5, 31, 32, 33, 100, 1000, 4099])
@pytest.mark.parametrize(
    "rate, seed, step", [(0.5, 0, 0), (0.3, 2**64 - 1, 2**40 + 3), (0.9, 12345, 7), (1e-9, 42, 1)]
)
def test_forward_matches_reference_bit_for_bit(kernel_set, rng, count, rate, seed, step):
    x = rng.standard_normal(count).astype(np.float32)
    y = dropout.dropout_forward(x, rate, seed, step)
    mask = ref.keep_mask(count, rate, seed, step)
    np.testing.assert_array_equal(y != 0, mask)
    np.testing.assert_array_equal(y[~mask], 0.0)
    np.testing.assert_allclose(y, ref.dropout(x, rate, seed, step), rtol=2e-7, atol=0)


def test_shapes_are_kept_and_masks_follow_the_flat_index(kernel_set, rng):
    x = rng.standard_normal((7, 5, 3)).astype(np.float32)
    y = dropout.dropout_forward(x, 0.4, 9, 2)
    assert y.shape == x.shape and y.dtype == np.float32
    np.testing.assert_array_equal(y.ravel() != 0, ref.keep_mask(x.size, 0.4, 9, 2))


def test_keep_fraction_is_one_minus_rate(kernel_set):
    count = 2**20
    ones = np.ones(count, dtype=np.float32)
    for rate in (0.1, 0.5, 0.85):
        kept = dropout.dropout_forward(ones, rate, 2024, 11) != 0
        sigma = math.sqrt(rate * (1 - rate) / count)
        assert abs(kept.mean() - (1 - rate)) < 5 * sigma
        # Every word of every Philox block, and neighbouring elements jointly.
        by_position = kept.reshape(-1, ref.GROUP).mean(axis=0)
        sigma_position = math.sqrt(rate * (1 - rate) / (count // ref.GROUP))
        assert np.all(np.abs(by_position - (1 - rate)) < 5 * sigma_position)
        pairs = (kept[:-1] & kept[1:]).mean()
        both = (1 - rate) ** 2
        assert abs(pairs - both) < 5 * math.sqrt(both * (1 - both) / count)


def agreement(a, b):
    return np.mean((a != 0) == (b != 0))


def test_different_seeds_and_steps_give_independent_masks(kernel_set):
    count, rate = 2**16, 0.3
    ones = np.ones(count, dtype=np.float32)
    base = dropout.dropout_forward(ones, rate, 5, 100)
    expected = rate**2 + (1 - rate) ** 2  # chance that two independent masks agree
    sigma = math.sqrt(expected * (1 - expected) / count)
    # Each of the key's and the counter's words changes the mask.
    for seed, step in [(6, 100), (5 + 2**32, 100), (5, 101), (5, 100 + 2**32)]:
        other = dropout.dropout_forward(ones, rate, seed, step)
        assert abs(agreement(base, other) - expected) < 5 * sigma
    np.testing.assert_array_equal(dropout.dropout_forward(ones, rate, 5, 100), base)


def test_backward_applies_the_forward_mask(kernel_set, rng):
    x = rng.standard_normal((33, 17)).astype(np.float32)
    dy = rng.standard_normal((33, 17)).astype(np.float32)
    rate, seed, step = 0.35, 77, 3
    y = dropout.dropout_forward(x, rate, seed, step)
    dx = dropout.dropout_backward(dy, rate, seed, step)
    np.testing.assert_array_equal(dx != 0, y != 0)
    np.testing.assert_array_equal(dx, dropout.dropout_forward(dy, rate, seed, step))
    # dropout is linear: backward is its adjoint, <forward(x), dy> = <x, backward(dy)>.
    lhs = np.dot(y.ravel().astype(np.float64), dy.ravel())
    rhs = np.dot(x.ravel().astype(np.float64), dx.ravel())
    assert lhs == pytest.approx(rhs, rel=1e-6)


def test_dropped_elements_are_zero_even_for_inf_and_nan(kernel_set):
    x = np.full(64, np.inf, dtype=np.float32)
    x[::2] = np.nan
    y = dropout.dropout_forward(x, 0.5, 1, 1)
    mask = ref.keep_mask(64, 0.5, 1, 1)
    np.testing.assert_array_equal(y[~mask], 0.0)
    assert not np.isfinite(y[mask]).any()


def test_rate_zero_is_the_identity(kernel_set, rng):
    x = rng.standard_normal(1000).astype(np.float32)
    np.testing.assert_array_equal(dropout.dropout_forward(x, 0.0, 3, 4), x)
    np.testing.assert_array_equal(dropout.dropout_backward(x, 0, 3, 4), x)


def test_in_place(kernel_set, rng):
    x = rng.standard_normal(THREADED_COUNT).astype(np.float32)
    expected = dropout.dropout_forward(x, 0.25, 8, 9)
    out = dropout.dropout_forward(x, 0.25, 8, 9, out=x)
    assert out is x
    np.testing.assert_array_equal(x, expected)


def test_non_contiguous_and_other_dtypes(kernel_set, rng):
    x = rng.standard_normal((40, 20))
    view = x[::2, 1::3]
    y = dropout.dropout_forward(view, 0.5, 1, 2)
    np.testing.assert_allclose(y, ref.dropout(view.astype(np.float32), 0.5, 1, 2), rtol=2e-7)


@pytest.mark.usefixtures("restore_threads")
def test_threads_and_kernel_sets_give_the_same_mask(rng):
    x = rng.standard_normal(THREADED_COUNT).astype(np.float32)
    results = []
    previous = kernas.config.cpu_features()
    try:
        for arch in kernas.config.available_cpu_features():
            kernas.config.set_cpu_features(arch)
            for threads in (1, 2, 3):
                kernas.config.set_num_threads(threads)
                results.append(dropout.dropout_forward(x, 0.6, 31337, 5))
                results.append(dropout.dropout_backward(x, 0.6, 31337, 5))
    finally:
        kernas.config.set_cpu_features(previous)
    for result in results[1:]:
        np.testing.assert_array_equal(result, results[0])
    np.testing.assert_array_equal(results[0] != 0, ref.keep_mask(x.size, 0.6, 31337, 5))


@pytest.mark.parametrize("rate", [-0.1, 1.0, 1.5, float("nan"), float("inf")])
def test_rate_outside_zero_one_is_rejected(rate):
    with pytest.raises(ValueError, match=r"dropout rate in \[0, 1\)"):
        dropout.dropout_forward(np.ones(4), rate, 0, 0)
    with pytest.raises(ValueError, match=r"dropout rate in \[0, 1\)"):
        _core.dropout_forward(np.ones(4, np.float32), rate, 0, 0, np.empty(4, np.float32))


@pytest.mark.parametrize("rate", ["0.5", True, None])
def test_rate_of_wrong_type(rate):
    with pytest.raises(TypeError, match="dropout rate"):
        dropout.dropout_forward(np.ones(4), rate, 0, 0)


@pytest.mark.parametrize("name", ["seed", "step"])
def test_seed_and_step_must_be_64_bit_unsigned(name):
    args = {"seed": 0, "step": 0}
    for bad in (-1, 2**64):
        with pytest.raises(ValueError, match=rf"`{name}` in \[0, 2\*\*64 - 1\]"):
            dropout.dropout_forward(np.ones(4), 0.5, **{**args, name: bad})
    with pytest.raises(TypeError, match=f"`{name}` to be an integer"):
        dropout.dropout_forward(np.ones(4), 0.5, **{**args, name: 1.5})


def test_bad_arrays_are_rejected():
    x = np.ones((4, 5), dtype=np.float32)
    with pytest.raises(TypeError, match="real numbers"):
        dropout.dropout_forward(np.array(["a"]), 0.5, 0, 0)
    with pytest.raises(ValueError, match=r"`y` to have the shape of `x`, \(4, 5\)"):
        _core.dropout_forward(x, 0.5, 0, 0, np.empty((5, 4), np.float32))
    with pytest.raises(ValueError, match=r"`dx` to have the shape of `dy`"):
        _core.dropout_backward(x, 0.5, 0, 0, np.empty(20, np.float32))
    with pytest.raises(ValueError, match="dtype float32"):
        _core.dropout_forward(x, 0.5, 0, 0, np.empty((4, 5)))
    with pytest.raises(ValueError, match="C-contiguous"):
        _core.dropout_forward(x, 0.5, 0, 0, np.empty((5, 4), np.float32).T)
    read_only = np.empty((4, 5), np.float32)
    read_only.flags.writeable = False
    with pytest.raises(ValueError, match="writeable"):
        _core.dropout_forward(x, 0.5, 0, 0, read_only)
    buffer = np.ones(30, dtype=np.float32)
    with pytest.raises(ValueError, match="share memory"):
        _core.dropout_forward(buffer[:20], 0.5, 0, 0, buffer[5:25])
    with pytest.raises(TypeError):
        _core.dropout_forward(x, 0.5, -1, 0, np.empty((4, 5), np.float32))


def test_layer_refuses_a_seed_beyond_64_bits_at_construction():
    # Dropout(seed=2**64) used to construct, then fail at its first training call.
    with pytest.raises(ValueError, match=r"Expected `seed` to be None or an integer in \[0, 2\*\*64 - 1\]"):
        kernas.layers.Dropout(0.5, seed=2**64)
    layer = kernas.layers.Dropout(0.5, seed=2**64 - 1)
    assert layer(np.ones((2, 3), np.float32), training=True).shape == (2, 3)


@pytest.mark.parametrize("out", [np.float32(0.0), [0.0, 0.0], "y"])
def test_ops_refuse_an_out_that_is_no_array_by_name(out):
    # It used to reach the native module: pybind11's "incompatible function arguments", naming nothing.
    with pytest.raises(TypeError, match=r"Expected `out` to be a float32 NumPy array or None"):
        dropout.dropout_forward(np.ones(2), 0.5, 1, 0, out=out)
